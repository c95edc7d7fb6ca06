import { Card, Col, Flex, Row } from "antd";
import { useTranslation } from "react-i18next";

import type { Job } from "../../api/types";
import { TERMINAL_JOB_STATES } from "../../api/types";
import { JsonBlock } from "../../components/JsonBlock";
import { MetricCharts } from "../../components/MetricCharts";
import { useJobMetrics } from "./api";
import { JobFacts } from "./JobFacts";
import { JobError, JobHeader } from "./JobHeader";
import { JobLog } from "./JobLog";
import { JobProgress } from "./JobProgress";
import { JobRoute } from "./JobRoute";
import { useJobLogStream } from "./useJobLogStream";

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
      <JobHeader job={job} backTo="/jobs" />
      <Card size="small" title={t("jobs.progress")}><JobProgress job={job} /></Card>
      <JobError job={job} />
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
  return <JobRoute backTo="/jobs" render={(job) => <JobDetail job={job} />} />;
}
