/** Routes of evaluation runs, examples, comparison and radar, mounted by `app/router.tsx` inside the signed-in layout. */
import { lazy } from "react";
import type { RouteObject } from "react-router";

import { RequirePermission } from "../../auth/RequirePermission";

const RunListPage = lazy(() => import("./RunListPage"));
const NewRunPage = lazy(() => import("./NewRunPage"));
const RunPage = lazy(() => import("./RunPage"));
const ComparePage = lazy(() => import("./ComparePage"));

export const evaluationRoutes: RouteObject[] = [
  { path: "evaluation", element: <RequirePermission permission="evaluation:read"><RunListPage /></RequirePermission> },
  { path: "evaluation/new", element: <RequirePermission permission="evaluation:write"><NewRunPage /></RequirePermission> },
  { path: "evaluation/runs/:runId",
    element: <RequirePermission permission="evaluation:read"><RunPage /></RequirePermission> },
  { path: "evaluation/compare", element: <RequirePermission permission="evaluation:read"><ComparePage /></RequirePermission> },
];
