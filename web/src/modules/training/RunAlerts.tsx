import { Alert, Flex } from "antd";
import { useTranslation } from "react-i18next";

import { currentLang } from "../../i18n";
import type { AlertSeverity, RunAlert } from "./runs";

const ALERT_TYPE: Record<AlertSeverity, "error" | "warning" | "info"> = {
  critical: "error",
  warning: "warning",
  info: "info",
};

/** The diagnoses of a run as they fire: what was seen at which step and what to do, in the page's language. */
export function RunAlerts({ alerts }: { alerts: RunAlert[] }) {
  const { t, i18n } = useTranslation();
  if (alerts.length === 0) return null;
  const zh = currentLang(i18n.resolvedLanguage) === "zh";
  return (
    <Flex vertical gap={8} data-testid="run-alerts">
      {alerts.map((alert) => (
        <Alert
          key={alert.code} type={ALERT_TYPE[alert.severity]} showIcon data-testid={`run-alert-${alert.code}`}
          title={`${zh ? alert.title_zh : alert.title_en} · ${t("training.run.alertStep", { step: alert.step })}`}
          description={
            <>
              <div>{zh ? alert.advice_zh : alert.advice_en}</div>
              {alert.stop_recommended && <strong>{t("training.run.stopRecommended")}</strong>}
            </>
          }
        />
      ))}
    </Flex>
  );
}
