import { ArrowLeftOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Col, Descriptions, Flex, Result, Row, Space } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { ApiError } from "../../api/errors";
import type { Job } from "../../api/types";
import { TERMINAL_JOB_STATES } from "../../api/types";
import { JsonBlock } from "../../components/JsonBlock";
import { MetricCharts } from "../../components/MetricCharts";
import { PageHeader } from "../../components/PageHeader";
import { QueryError } from "../../components/QueryError";
import { FullPageSpin } from "../../components/FullPageSpin";
import { currentLang } from "../../i18n";
import { elapsedSeconds, formatDateTime, formatDuration } from "../../lib/format";
import { useJob, useJobMetrics } from "./api";
import { JobActions } from "./JobActions";
import { JobLog } from "./JobLog";
import { JobProgress } from "./JobProgress";
import { JobStateTag } from "./JobStateTag";
import { useJobLogStream } from "./useJobLogStream";

function JobFacts({ job }: { job: Job }) {
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

function JobMetricsCard({ job }: { job: Job }) {
  const { t } = useTranslation();
  const metrics = useJobMetrics(job.id, !TERMINAL_JOB_STATES.has(job.state));
  const series = metrics.data?.series ?? {};
  // Only jobs that report metrics get the card; the others have nothing to chart.
  if (Object.keys(series).length === 0) return null;
  return (
    <Card size="small" title={t("jobs.metrics")} data-testid="job-metrics">
      <MetricCharts series={series} emptyText={t("jobs.noMetrics")} />
    </Card>
  );
}

function JobDetail({ job }: { job: Job }) {
  const { t } = useTranslation();
  const { log, status } = useJobLogStream(job.id, job.queued_at);
  const hasResult = Object.keys(job.result).length > 0;
  return (
    <Flex vertical gap={16}>
      <PageHeader
        title={<Space>{`#${job.id} ${job.name || job.kind}`}<JobStateTag state={job.state} /></Space>}
        extra={
          <>
            <Link to="/jobs"><Button icon={<ArrowLeftOutlined />}>{t("common.back")}</Button></Link>
            <JobActions job={job} />
          </>
        }
      />
      <Card size="small" title={t("jobs.progress")}><JobProgress job={job} /></Card>
      {job.error && (
        <Alert type="error" showIcon title={t("jobs.error")} data-testid="job-error"
               description={<pre className="llmore-log">{job.error}</pre>} />
      )}
      <JobFacts job={job} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={hasResult ? 12 : 24}>
          <Card size="small" title={t("jobs.params")}><JsonBlock value={job.params} /></Card>
        </Col>
        {hasResult && (
          <Col xs={24} lg={12}>
            <Card size="small" title={t("jobs.result")} data-testid="job-result"><JsonBlock value={job.result} /></Card>
          </Col>
        )}
      </Row>
      <JobMetricsCard job={job} />
      <JobLog log={log} status={status} />
    </Flex>
  );
}

export default function JobDetailPage() {
  const { t } = useTranslation();
  const rawId = useParams().jobId ?? "";
  const jobId = /^\d+$/.test(rawId) ? Number(rawId) : null;
  const job = useJob(jobId ?? 0, jobId !== null);
  if (jobId === null || (job.error instanceof ApiError && job.error.status === 404)) {
    return <Result status="404" title={t("jobs.notFound", { id: rawId })}
                   extra={<Link to="/jobs"><Button>{t("common.back")}</Button></Link>} />;
  }
  if (job.isPending) return <FullPageSpin />;
  if (job.isError) return <QueryError error={job.error} onRetry={() => void job.refetch()} />;
  return <JobDetail job={job.data} />;
}
