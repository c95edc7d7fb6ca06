import { Descriptions } from "antd";
import { useTranslation } from "react-i18next";

import type { Job } from "../../api/types";
import { currentLang } from "../../i18n";
import { elapsedSeconds, formatDateTime, formatDuration } from "../../lib/format";

/** When and how a job ran: times, duration, attempts, GPUs, priority, timeout, exit code. */
export function JobFacts({ job }: { job: Job }) {
  const { t, i18n } = useTranslation();
  const lang = currentLang(i18n.resolvedLanguage);
  return (
    <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} bordered>
      <Descriptions.Item label={t("jobs.kind")}>{job.kind}</Descriptions.Item>
      <Descriptions.Item label={t("jobs.createdAt")}>{formatDateTime(job.created_at)}</Descriptions.Item>
      <Descriptions.Item label={t("jobs.queuedAt")}>{formatDateTime(job.queued_at)}</Descriptions.Item>
      <Descriptions.Item label={t("jobs.startedAt")}>{formatDateTime(job.started_at)}</Descriptions.Item>
      <Descriptions.Item label={t("jobs.finishedAt")}>{formatDateTime(job.finished_at)}</Descriptions.Item>
      <Descriptions.Item label={t("jobs.duration")}>
        {formatDuration(elapsedSeconds(job.started_at, job.finished_at), lang)}
      </Descriptions.Item>
      <Descriptions.Item label={t("jobs.attempts")}>{`${job.attempts} / ${job.max_attempts}`}</Descriptions.Item>
      <Descriptions.Item label={t("jobs.gpus")}>
        {job.assigned_gpus ? `${job.gpus} (${job.assigned_gpus})` : job.gpus}
      </Descriptions.Item>
      <Descriptions.Item label={t("jobs.priority")}>{job.priority}</Descriptions.Item>
      <Descriptions.Item label={t("jobs.timeout")}>{formatDuration(job.timeout_seconds, lang)}</Descriptions.Item>
      <Descriptions.Item label={t("jobs.exitCode")}>{job.exit_code ?? "—"}</Descriptions.Item>
      {job.cancel_reason && (
        <Descriptions.Item label={t("jobs.cancelRequested")}>
          {t("jobs.cancelReason", { reason: job.cancel_reason })}
        </Descriptions.Item>
      )}
    </Descriptions>
  );
}
