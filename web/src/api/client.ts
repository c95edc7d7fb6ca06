/**
 * The typed API client. Paths, parameters and bodies are checked against `schema.d.ts`, which
 * the build generates from the server's OpenAPI schema: a backend change that breaks the
 * console breaks `npm run build`.
 *
 * The console authenticates with the HttpOnly session cookie set by `POST /api/auth/login`
 * (same origin, so it rides along with every call and with EventSource); no token is stored
 * in JavaScript-readable storage.
 */
import createClient from "openapi-fetch";

import { ApiError, apiErrorFrom } from "./errors";
import type { paths } from "./schema";
import { isSessionExpiry } from "./session";

// Same origin as the page; spelled out because `Request` needs an absolute URL outside browsers
// (the unit tests), and in browsers `location.origin` is exactly where the console came from.
export const api = createClient<paths>({ baseUrl: globalThis.location?.origin ?? "", credentials: "same-origin" });

let sessionExpiredHandler: () => void = () => undefined;

/** Called (by the app shell) with what to do when any call answers 401: go to the login page. */
export function onSessionExpired(handler: () => void): void {
  sessionExpiredHandler = handler;
}

api.use({
  onResponse({ request, response }) {
    if (isSessionExpiry(response.status, request.url)) sessionExpiredHandler();
    return undefined;
  },
});

interface CallResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Await an `api.GET/POST/...` call: its data, or an ApiError carrying the server's message. */
export async function unwrap<T>(pending: Promise<CallResult<T>>): Promise<T> {
  let result: CallResult<T>;
  try {
    result = await pending;
  } catch (cause) {
    // fetch itself failed: server down, network gone.
    throw new ApiError(0, "network_error", cause instanceof Error ? cause.message : String(cause));
  }
  if (result.error !== undefined || !result.response.ok) {
    throw apiErrorFrom(result.response.status, result.error, result.response.headers);
  }
  return result.data as T;
}

/** A schema path with its `{placeholders}` filled, for URLs used outside the client (EventSource). */
export function pathFor<P extends keyof paths>(path: P, params: Record<string, string | number>,
                                                query?: Record<string, string | number>): string {
  let url: string = path;
  for (const [name, value] of Object.entries(params)) {
    url = url.replace(`{${name}}`, encodeURIComponent(String(value)));
  }
  if (query && Object.keys(query).length > 0) {
    url += `?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString()}`;
  }
  return url;
}

/** Parse a response body as JSON when it is JSON (error bodies of proxies may not be). */
async function jsonBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Send raw bytes (a file or a slice of one) to `url` and read the JSON answer, for the few
 * endpoints whose body is a file rather than JSON (the generated client only speaks JSON).
 */
export async function sendBytes<T>(method: "POST" | "PUT", url: string, body: Blob): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method, body, credentials: "same-origin", headers: { "Content-Type": "application/octet-stream" },
    });
  } catch (cause) {
    throw new ApiError(0, "network_error", cause instanceof Error ? cause.message : String(cause));
  }
  if (isSessionExpiry(response.status, response.url || url)) sessionExpiredHandler();
  const data = await jsonBody(response);
  if (!response.ok) throw apiErrorFrom(response.status, data, response.headers);
  return data as T;
}

export interface UploadHandle<T> {
  /** Settles with the server's answer, or an ApiError (status 0 with code "aborted" when aborted). */
  done: Promise<T>;
  abort: () => void;
}

/**
 * Upload a whole file with progress events. `fetch` reports no upload progress, so this uses
 * XMLHttpRequest, whose `upload.onprogress` does; the session cookie rides along (same origin).
 */
export function uploadWithProgress<T>(method: "POST" | "PUT", url: string, file: Blob,
                                      onProgress: (loaded: number, total: number) => void): UploadHandle<T> {
  const xhr = new XMLHttpRequest();
  const done = new Promise<T>((resolve, reject) => {
    xhr.open(method, url);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () => {
      let data: unknown;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        data = undefined;
      }
      if (isSessionExpiry(xhr.status, url)) sessionExpiredHandler();
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve(data as T);
      } else {
        reject(apiErrorFrom(xhr.status, data));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "network_error", "upload failed"));
    xhr.onabort = () => reject(new ApiError(0, "aborted", "upload aborted"));
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}
