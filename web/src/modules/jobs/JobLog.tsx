import { Badge, Card, Checkbox, Flex, Typography } from "antd";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import type { LogBuffer } from "../../lib/logBuffer";
import type { StreamStatus } from "./useJobLogStream";

const STATUS_BADGE: Record<StreamStatus, "processing" | "success" | "warning" | "default"> = {
  connecting: "default",
  live: "processing",
  reconnecting: "warning",
  ended: "success",
};

/** The live log tail; sticks to the bottom while "follow" is on. */
export function JobLog({ log, status }: { log: LogBuffer; status: StreamStatus }) {
  const { t } = useTranslation();
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [log.text, follow]);

  const statusLabel = {
    connecting: t("common.loading"),
    live: t("jobs.logLive"),
    reconnecting: t("jobs.logReconnecting"),
    ended: t("jobs.logEnded"),
  }[status];

  return (
    <Card
      size="small"
      title={t("jobs.logs")}
      extra={
        <Flex gap={16} align="center">
          <Badge status={STATUS_BADGE[status]} text={statusLabel} data-testid="log-status" />
          <Checkbox checked={follow} onChange={(event) => setFollow(event.target.checked)}>{t("jobs.followLog")}</Checkbox>
        </Flex>
      }
    >
      {log.truncated && <Typography.Text type="secondary">{t("jobs.logTruncated")}</Typography.Text>}
      <div ref={box} style={{ maxHeight: 420, overflow: "auto" }} data-testid="job-log">
        {log.text
          ? <pre className="llmore-log">{log.text}</pre>
          : <Typography.Text type="secondary">{t("jobs.logEmpty")}</Typography.Text>}
      </div>
    </Card>
  );
}
