/**
 * Routes of human evaluation: the task list, scoring, quality checks and results, mounted by
 * `app/router.tsx` inside the signed-in layout.
 */
import { lazy } from "react";
import type { RouteObject } from "react-router";

import { RequirePermission } from "../../../auth/RequirePermission";

const TaskListPage = lazy(() => import("./TaskListPage"));
const ScorePage = lazy(() => import("./ScorePage"));
const ReviewPage = lazy(() => import("./ReviewPage"));
const ResultsPage = lazy(() => import("./ResultsPage"));

export const humanEvalRoutes: RouteObject[] = [
  { path: "evaluation/human",
    element: <RequirePermission permission="evaluation:score"><TaskListPage /></RequirePermission> },
  { path: "evaluation/human/:taskId/score",
    element: <RequirePermission permission="evaluation:score"><ScorePage /></RequirePermission> },
  { path: "evaluation/human/:taskId/review",
    element: <RequirePermission permission="evaluation:review"><ReviewPage /></RequirePermission> },
  { path: "evaluation/human/:taskId",
    element: <RequirePermission permission="evaluation:read"><ResultsPage /></RequirePermission> },
];
