/**
 * Permissions as the server names them (`GET /api/auth/me` → `permissions`). The schema types
 * them as plain strings, so the console keeps its own list of the ones it checks.
 */
export type Permission =
  | "self"
  | "dashboard:read"
  | "users:read"
  | "users:write"
  | "departments:read"
  | "departments:write"
  | "datasets:read"
  | "datasets:write"
  | "models:read"
  | "models:write"
  | "jobs:read"
  | "jobs:write"
  | "system:read"
  | "metrics:read"
  | "evaluation:read"
  | "evaluation:write"
  | "evaluation:score"
  | "evaluation:review";
