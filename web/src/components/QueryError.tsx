import { Button, Result } from "antd";
import { useTranslation } from "react-i18next";

import { errorMessage } from "../lib/errorMessage";

/** A failed load, with the server's message and a way to try again. */
export function QueryError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <Result
      status="error"
      title={t("errors.title")}
      subTitle={errorMessage(error, t)}
      extra={onRetry ? <Button onClick={onRetry}>{t("common.reload")}</Button> : undefined}
    />
  );
}
