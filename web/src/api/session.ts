/**
 * Session expiry: any 401 sends the user to the login page with `?next=` set to where they
 * were, and after signing in they return there. Only same-origin paths are followed, so a
 * crafted link cannot bounce a user to another site after login.
 */

export const LOGIN_PATH = "/login";
export const LOGIN_ENDPOINT = "/api/auth/login";

export interface LocationLike {
  pathname: string;
  search: string;
  hash: string;
}

/** A path that is safe to navigate to after login; anything else becomes "/". */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (next === LOGIN_PATH || next.startsWith(`${LOGIN_PATH}?`) || next.startsWith(`${LOGIN_PATH}/`)) return "/";
  return next;
}

/** The login page URL that returns to `current` afterwards. */
export function loginPathFor(current: LocationLike): string {
  if (current.pathname === LOGIN_PATH) {
    // Already on the login page: keep the `next` it already carries.
    return `${LOGIN_PATH}${current.search}`;
  }
  const next = safeNextPath(`${current.pathname}${current.search}${current.hash}`);
  return next === "/" ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(next)}`;
}

/**
 * Whether a response means "your session is gone, sign in again".
 * A 401 from the login call itself means wrong credentials, which the login form shows.
 */
export function isSessionExpiry(status: number, requestUrl: string): boolean {
  if (status !== 401) return false;
  const path = requestUrl.startsWith("http") ? new URL(requestUrl).pathname : requestUrl.split("?")[0];
  return path !== LOGIN_ENDPOINT;
}
