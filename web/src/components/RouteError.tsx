import { useRouteError } from "react-router";

import { CrashResult } from "./ErrorBoundary";

/** Router-level error element: a page that failed to render or whose code failed to load. */
export function RouteError() {
  const error = useRouteError();
  return <CrashResult error={error} />;
}
