/**
 * Routes. Each page is its own chunk (React.lazy), so the first load carries only the shell;
 * modules without pages get the "not available yet" page generated from `MODULES`.
 */
import { lazy } from "react";
import { createBrowserRouter, type RouteObject } from "react-router";

import { RequireAuth } from "../auth/RequireAuth";
import { RequirePermission } from "../auth/RequirePermission";
import { ModuleUnavailable } from "../components/ModuleUnavailable";
import { RouteError } from "../components/RouteError";
import { AppLayout } from "../layout/AppLayout";
import { arenaRoutes } from "../modules/evaluation/arena/routes";
import { gateRoutes } from "../modules/evaluation/gates/routes";
import { humanEvalRoutes } from "../modules/evaluation/human/routes";
import { evaluationRoutes } from "../modules/evaluation/routes";
import { flatModules } from "./modules";

const LoginPage = lazy(() => import("../modules/login/LoginPage"));
const DashboardPage = lazy(() => import("../modules/dashboard/DashboardPage"));
const JobListPage = lazy(() => import("../modules/jobs/JobListPage"));
const JobDetailPage = lazy(() => import("../modules/jobs/JobDetailPage"));
const NewJobPage = lazy(() => import("../modules/jobs/NewJobPage"));
const DatasetListPage = lazy(() => import("../modules/data/DatasetListPage"));
const DatasetDetailPage = lazy(() => import("../modules/data/DatasetDetailPage"));
const ImportPage = lazy(() => import("../modules/data/ImportPage"));
const RunListPage = lazy(() => import("../modules/training/RunListPage"));
const NewRunPage = lazy(() => import("../modules/training/NewRunPage"));
const RunPage = lazy(() => import("../modules/training/RunPage"));
const ComparePage = lazy(() => import("../modules/training/ComparePage"));
const ModelListPage = lazy(() => import("../modules/models/ModelListPage"));
const ModelDetailPage = lazy(() => import("../modules/models/ModelDetailPage"));
const VersionDetailPage = lazy(() => import("../modules/models/VersionDetailPage"));
const UsersPage = lazy(() => import("../modules/admin/users/UsersPage"));
const ApiKeysPage = lazy(() => import("../modules/admin/api-keys/ApiKeysPage"));
const NotFoundPage = lazy(() => import("../modules/errors/NotFoundPage"));

const placeholderRoutes: RouteObject[] = flatModules()
  .filter((entry) => !entry.ready && entry.path !== undefined)
  .map((entry) => ({ path: `${entry.path}/*`, element: <ModuleUnavailable module={entry.key} /> }));

export const routes: RouteObject[] = [
  { path: "/login", element: <LoginPage />, errorElement: <RouteError /> },
  {
    element: <RequireAuth />,
    errorElement: <RouteError />,
    children: [{
      element: <AppLayout />,
      children: [
        { index: true, element: <RequirePermission permission="dashboard:read"><DashboardPage /></RequirePermission> },
        { path: "jobs", element: <RequirePermission permission="jobs:read"><JobListPage /></RequirePermission> },
        { path: "jobs/new", element: <RequirePermission permission="jobs:write"><NewJobPage /></RequirePermission> },
        { path: "jobs/:jobId", element: <RequirePermission permission="jobs:read"><JobDetailPage /></RequirePermission> },
        { path: "data", element: <RequirePermission permission="datasets:read"><DatasetListPage /></RequirePermission> },
        { path: "data/:datasetId", element: <RequirePermission permission="datasets:read"><DatasetDetailPage /></RequirePermission> },
        { path: "data/:datasetId/import", element: <RequirePermission permission="datasets:write"><ImportPage /></RequirePermission> },
        { path: "training", element: <RequirePermission permission="jobs:read"><RunListPage /></RequirePermission> },
        { path: "training/new", element: <RequirePermission permission="jobs:write"><NewRunPage /></RequirePermission> },
        { path: "training/runs/:jobId", element: <RequirePermission permission="jobs:read"><RunPage /></RequirePermission> },
        { path: "training/compare", element: <RequirePermission permission="jobs:read"><ComparePage /></RequirePermission> },
        { path: "models", element: <RequirePermission permission="models:read"><ModelListPage /></RequirePermission> },
        { path: "models/:modelId", element: <RequirePermission permission="models:read"><ModelDetailPage /></RequirePermission> },
        { path: "models/:modelId/versions/:number", element: <RequirePermission permission="models:read"><VersionDetailPage /></RequirePermission> },
        { path: "admin/users", element: <RequirePermission permission="users:read"><UsersPage /></RequirePermission> },
        { path: "admin/api-keys", element: <ApiKeysPage /> },
        ...evaluationRoutes,
        ...humanEvalRoutes,
        ...arenaRoutes,
        ...gateRoutes,
        ...placeholderRoutes,
        { path: "*", element: <NotFoundPage /> },
      ],
    }],
  },
];

export const router = createBrowserRouter(routes);
