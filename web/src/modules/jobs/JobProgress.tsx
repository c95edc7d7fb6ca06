import { Flex, Progress, Typography } from "antd";
import { useTranslation } from "react-i18next";

import type { Job } from "../../api/types";
import { currentLang } from "../../i18n";
import { formatEta, progressPercent } from "../../lib/format";

const PROGRESS_STATUS = {
  queued: "normal",
  running: "active",
  succeeded: "success",
  failed: "exception",
  cancelled: "exception",
} as const;

/** Progress bar with the job's own message and, while it runs, the time it expects to need. */
export function JobProgress({ job, compact = false }: { job: Job; compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const eta = job.state === "running" ? formatEta(job.eta_seconds, currentLang(i18n.resolvedLanguage)) : null;
  const bar = (
    <Progress percent={progressPercent(job.progress)} status={PROGRESS_STATUS[job.state]}
              size={compact ? "small" : "default"} data-testid="job-progress" />
  );
  if (compact) return bar;
  return (
    <Flex vertical gap={4}>
      {bar}
      <Flex justify="space-between" gap={16} wrap>
        <Typography.Text type="secondary" data-testid="job-progress-message">{job.progress_message}</Typography.Text>
        {eta && <Typography.Text type="secondary" data-testid="job-eta">{t("jobs.eta", { duration: eta })}</Typography.Text>}
      </Flex>
    </Flex>
  );
}
