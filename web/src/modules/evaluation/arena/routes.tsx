/** Routes of the arena: blind votes and the leaderboard, mounted by `app/router.tsx` inside the signed-in layout. */
import { lazy } from "react";
import type { RouteObject } from "react-router";

import { RequirePermission } from "../../../auth/RequirePermission";

const BattlePage = lazy(() => import("./BattlePage"));
const LeaderboardPage = lazy(() => import("./LeaderboardPage"));

export const arenaRoutes: RouteObject[] = [
  { path: "evaluation/arena",
    element: <RequirePermission permission="evaluation:score"><BattlePage /></RequirePermission> },
  { path: "evaluation/arena/leaderboard",
    element: <RequirePermission permission="evaluation:score"><LeaderboardPage /></RequirePermission> },
];
