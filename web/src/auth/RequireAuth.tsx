import { Outlet } from "react-router";

import { ApiError } from "../api/errors";
import { FullPageSpin } from "../components/FullPageSpin";
import { QueryError } from "../components/QueryError";
import { useMe } from "./useMe";

/**
 * Renders the signed-in part of the console once the session is confirmed. A 401 has already
 * sent the browser to the login page (see `onSessionExpired`), so it shows a spinner meanwhile.
 */
export function RequireAuth() {
  const me = useMe();
  if (me.isPending) return <FullPageSpin />;
  if (me.isError) {
    if (me.error instanceof ApiError && me.error.status === 401) return <FullPageSpin />;
    return <QueryError error={me.error} onRetry={() => void me.refetch()} />;
  }
  return <Outlet />;
}
