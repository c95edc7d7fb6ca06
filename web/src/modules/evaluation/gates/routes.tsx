/** Routes of deploy gates, mounted by `app/router.tsx` inside the signed-in layout. */
import { lazy } from "react";
import type { RouteObject } from "react-router";

import { RequirePermission } from "../../../auth/RequirePermission";

const GatesPage = lazy(() => import("./GatesPage"));

export const gateRoutes: RouteObject[] = [
  { path: "evaluation/gates", element: <RequirePermission permission="evaluation:read"><GatesPage /></RequirePermission> },
];
