/**
 * The API's one error shape and how the console turns it into messages and form-field errors.
 *
 * Every failure answers `{"error": {"code", "message", "details": [{"field", "message", "line"?}]}}`;
 * `field` is a dotted path such as `body.username` or `query.sort`.
 */

export interface ErrorDetail {
  field?: string | null;
  message: string;
  line?: number | null;
  column?: number | null;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetail[] };
}

/** A failed API call: HTTP status plus the server's code, message and field details. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  /** Seconds to wait before retrying (from `Retry-After` on 429), when the server said. */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, code: string, message: string, details: ErrorDetail[] = [],
              retryAfterSeconds: number | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === "object" && error !== null
    && typeof (error as { message?: unknown }).message === "string";
}

/** Build an ApiError from a response status, its parsed body (if any) and its headers. */
export function apiErrorFrom(status: number, body: unknown, headers?: Headers): ApiError {
  const retryHeader = headers?.get("Retry-After");
  const retryAfter = retryHeader !== null && retryHeader !== undefined && /^\d+$/.test(retryHeader)
    ? Number(retryHeader) : null;
  if (isErrorBody(body)) {
    const { code, message, details } = body.error;
    return new ApiError(status, code || "error", message, Array.isArray(details) ? details : [], retryAfter);
  }
  // A proxy or a crashed server may answer without our JSON shape; still say something useful.
  return new ApiError(status, status === 0 ? "network_error" : "http_error",
                      status === 0 ? "" : `HTTP ${status}`, [], retryAfter);
}

/** Where a detail points, without the request part: `body.username` → `username`, `body.models[1]` → `models.1`. */
export function detailPath(field: string | null | undefined): string[] {
  if (!field) return [];
  // Server checks name list items either way (pydantic's `models.1`, hand-written `models[1]`).
  const parts = field.replace(/\[(\d+)\]/g, ".$1").split(".").filter((part) => part.length > 0);
  if (parts[0] === "body" || parts[0] === "query" || parts[0] === "path") parts.shift();
  return parts;
}

export interface FieldErrorMap {
  /** Messages per form field name. */
  byField: Record<string, string[]>;
  /** Details that name no field of the form; show them with the form's general error. */
  unmatched: string[];
}

/**
 * Map error details onto the fields of a form.
 *
 * A detail deeper than a form field lands on the nearest field that exists, with the rest of
 * its path in front of the message: `body.params.steps` on a form with a `params` JSON editor
 * reads "steps: Input should be greater than or equal to 1" under `params`.
 */
export function mapFieldErrors(details: readonly ErrorDetail[], formFields: readonly string[]): FieldErrorMap {
  const known = new Set(formFields);
  const byField: Record<string, string[]> = {};
  const unmatched: string[] = [];
  for (const detail of details) {
    const path = detailPath(detail.field);
    const where = detail.line ? ` (line ${detail.line})` : "";
    let matched = false;
    for (let length = path.length; length > 0; length -= 1) {
      const name = path.slice(0, length).join(".");
      if (known.has(name)) {
        const rest = path.slice(length).join(".");
        (byField[name] ??= []).push(`${rest ? `${rest}: ` : ""}${detail.message}${where}`);
        matched = true;
        break;
      }
    }
    if (!matched) unmatched.push(`${path.length ? `${path.join(".")}: ` : ""}${detail.message}${where}`);
  }
  return { byField, unmatched };
}
