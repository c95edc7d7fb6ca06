/**
 * Sending a form: field errors from the server land next to their fields, everything else in
 * an alert above the form. Client-side rules run first (`form.validateFields()`), so most
 * mistakes never reach the server.
 */
import { Alert, type FormInstance } from "antd";
import { type ReactNode, useCallback, useState } from "react";
import { useTranslation } from "react-i18next";

import { ApiError, mapFieldErrors } from "../api/errors";
import { errorMessage } from "./errorMessage";

export type SubmitResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface ServerFormErrors {
  submitting: boolean;
  /** Run the call; on failure show its errors on the form. */
  submit: <T>(call: () => Promise<T>) => Promise<SubmitResult<T>>;
  /** The alert with the errors that belong to no field (null when there are none). */
  formError: ReactNode;
  clear: () => void;
}

// `FormInstance<any>`: the hook serves forms of every value type and only sets errors by name,
// which antd types per form; `unknown` would not accept them.
export function useServerFormErrors(form: FormInstance<any>, fields: readonly string[]): ServerFormErrors {
  const { t } = useTranslation();
  const [submitting, setSubmitting] = useState(false);
  const [alert, setAlert] = useState<{ message: string; lines: string[] } | null>(null);

  const clear = useCallback(() => setAlert(null), []);

  const submit = useCallback(async <T,>(call: () => Promise<T>): Promise<SubmitResult<T>> => {
    setSubmitting(true);
    setAlert(null);
    try {
      return { ok: true, value: await call() };
    } catch (error) {
      if (error instanceof ApiError && error.details.length > 0) {
        const { byField, unmatched } = mapFieldErrors(error.details, fields);
        form.setFields(Object.entries(byField).map(([name, errors]) => ({ name: name.split("."), errors })));
        setAlert({ message: errorMessage(error, t), lines: unmatched });
      } else {
        setAlert({ message: errorMessage(error, t), lines: [] });
      }
      return { ok: false, error };
    } finally {
      setSubmitting(false);
    }
  }, [fields, form, t]);

  const formError = alert === null ? null : (
    <Alert type="error" showIcon style={{ marginBottom: 16 }} title={alert.message} data-testid="form-error"
           description={alert.lines.length > 0 ? alert.lines.map((line) => <div key={line}>{line}</div>) : undefined} />
  );
  return { submitting, submit, formError, clear };
}
