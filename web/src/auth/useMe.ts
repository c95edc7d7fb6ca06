import { useQuery, type QueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../api/client";
import type { Me } from "../api/types";
import type { Permission } from "./permissions";

export const ME_QUERY_KEY = ["auth", "me"] as const;

/** The signed-in user; answers 401 (and so redirects to login) when there is no session. */
export function useMe() {
  return useQuery({
    queryKey: ME_QUERY_KEY,
    queryFn: () => unwrap(api.GET("/api/auth/me")),
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** Whether the signed-in user holds `permission` (false while unknown). */
export function useCan(): (permission: Permission | undefined) => boolean {
  const { data: me } = useMe();
  return (permission) => permission === undefined || (me?.permissions.includes(permission) ?? false);
}

/** Store the user returned by login so the shell renders without another round trip. */
export function rememberSignedIn(queryClient: QueryClient, me: Me): void {
  queryClient.setQueryData(ME_QUERY_KEY, me);
}
