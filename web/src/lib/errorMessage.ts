import type { TFunction } from "i18next";

import { ApiError } from "../api/errors";

/** What to tell the user about a failure: the server's own message where there is one. */
export function errorMessage(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t("errors.network");
    if (error.message) return error.message;
  }
  if (error instanceof Error && error.message) return t("errors.unexpected", { message: error.message });
  return t("errors.unexpected", { message: String(error) });
}
