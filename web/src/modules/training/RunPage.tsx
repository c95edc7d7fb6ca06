/**
 * One fine-tuning run: diagnosis alerts as they fire, progress, live training curves and system
 * load, what it trained on, its result (the registered model version, linked) and the live log.
 * A run is a job, so the jobs module's pieces (loading, progress, actions, facts, log) are reused.
 */
import { ExperimentOutlined } from "@ant-design/icons";
import { Button, Card, Col, Descriptions, Flex, Row, Table, type TableColumnsType, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import type { Job } from "../../api/types";
import { TERMINAL_JOB_STATES } from "../../api/types";
import { JsonBlock } from "../../components/JsonBlock";
import { MetricCharts } from "../../components/MetricCharts";
import { errorMessage } from "../../lib/errorMessage";
import { formatDateTime } from "../../lib/format";
import { formatBytes } from "../data/format";
import { useJobMetrics } from "../jobs/api";
import { JobFacts } from "../jobs/JobFacts";
import { JobError, JobHeader } from "../jobs/JobHeader";
import { JobLog } from "../jobs/JobLog";
import { JobProgress } from "../jobs/JobProgress";
import { JobRoute } from "../jobs/JobRoute";
import { useJobLogStream } from "../jobs/useJobLogStream";
import { useCheckpoints, useResolvedModel } from "./api";
import { RunAlerts } from "./RunAlerts";
import type { Checkpoint } from "./types";
import { baseName, datasetOf, finalLoss, runAlerts, systemGroups, trainingGroups } from "./runs";

/** The registered output, linked to its page in the registry once resolved to an id. */
function ModelLink({ reference }: { reference: string }) {
  const { t } = useTranslation();
  const resolved = useResolvedModel(reference);
  if (!resolved.data) return <Typography.Text code>{reference}</Typography.Text>;
  return (
    <Link to={`/models/${resolved.data.model_id}/versions/${resolved.data.number}`} data-testid="run-model-link">
      <Button type="primary" icon={<ExperimentOutlined />}>{t("training.run.openModel", { reference })}</Button>
    </Link>
  );
}

/** Saved checkpoints, newest last: where a retried run resumes from. */
function Checkpoints({ job }: { job: Job }) {
  const { t } = useTranslation();
  const checkpoints = useCheckpoints(job.id, !TERMINAL_JOB_STATES.has(job.state));
  const columns: TableColumnsType<Checkpoint> = [
    { title: t("training.run.checkpointStep"), dataIndex: "step", width: 100 },
    { title: t("training.run.checkpointSaved"), dataIndex: "saved_at", width: 200,
      render: (value: string) => formatDateTime(value) },
    { title: t("training.run.checkpointSize"), dataIndex: "size_bytes", width: 120,
      render: (value: number) => formatBytes(value) },
    { title: t("training.run.checkpointPath"), dataIndex: "path",
      render: (value: string) => <Typography.Text code copyable>{value}</Typography.Text> },
  ];
  return (
    <Card size="small" title={t("training.run.checkpoints")} data-testid="run-checkpoints">
      {checkpoints.isError
        ? <Typography.Text type="danger">{errorMessage(checkpoints.error, t)}</Typography.Text>
        : <Table<Checkpoint> rowKey="step" size="small" columns={columns} dataSource={checkpoints.data}
                             loading={checkpoints.isPending} pagination={false}
                             locale={{ emptyText: t("training.run.noCheckpoints") }} />}
    </Card>
  );
}

function RunSummary({ job, lastLoss }: { job: Job; lastLoss: number | null }) {
  const { t } = useTranslation();
  const dataset = datasetOf(job.params);
  const model = typeof job.result.model === "string" ? job.result.model : null;
  return (
    <Descriptions size="small" bordered column={{ xs: 1, md: 2, xl: 3 }} data-testid="run-summary">
      <Descriptions.Item label={t("training.runs.base")}>{baseName(job.params)}</Descriptions.Item>
      <Descriptions.Item label={t("training.runs.dataset")}>
        {dataset ? (
          <Link to={`/data/${dataset.id}`}>
            {t("training.runs.datasetRef", { id: dataset.id, number: dataset.number })}
            {dataset.split ? ` (${dataset.split})` : ""}
          </Link>
        ) : "—"}
      </Descriptions.Item>
      <Descriptions.Item label={t("training.wizard.method")}>{String(job.params.method ?? "—")}</Descriptions.Item>
      <Descriptions.Item label={t("training.runs.finalLoss")}>{lastLoss?.toFixed(4) ?? "—"}</Descriptions.Item>
      <Descriptions.Item label={t("training.run.steps")}>{String(job.result.steps ?? job.params.max_steps ?? "—")}</Descriptions.Item>
      <Descriptions.Item label={t("training.run.model")}>
        {model ? <ModelLink reference={model} /> : t("training.run.modelPending")}
      </Descriptions.Item>
    </Descriptions>
  );
}

function RunDetail({ job }: { job: Job }) {
  const { t } = useTranslation();
  const { log, status } = useJobLogStream(job.id, job.queued_at);
  const metrics = useJobMetrics(job.id, !TERMINAL_JOB_STATES.has(job.state));
  const series = metrics.data?.series ?? {};
  const system = systemGroups(series);
  const hyperparameters = job.result.hyperparameters;
  return (
    <Flex vertical gap={16}>
      <JobHeader job={job} backTo="/training"
                 extra={<Link to={`/jobs/${job.id}`}><Button>{t("training.run.jobPage")}</Button></Link>} />
      <RunAlerts alerts={runAlerts(job.result)} />
      <Card size="small" title={t("jobs.progress")}><JobProgress job={job} /></Card>
      <JobError job={job} />
      <RunSummary job={job} lastLoss={finalLoss(job, series)} />
      <Card size="small" title={t("training.run.curves")} data-testid="run-curves">
        <MetricCharts series={series} groups={trainingGroups(series, { loss: t("training.run.lossChart") })}
                      emptyText={t("training.run.noCurves")} />
      </Card>
      {system.length > 0 && (
        <Card size="small" title={t("training.run.system")} data-testid="run-system">
          <MetricCharts series={series} groups={system} height={200} />
        </Card>
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t("jobs.params")}><JsonBlock value={job.params} /></Card>
        </Col>
        {hyperparameters !== undefined && (
          <Col xs={24} lg={12}>
            <Card size="small" title={t("training.run.hyperparameters")}><JsonBlock value={hyperparameters} /></Card>
          </Col>
        )}
      </Row>
      <Checkpoints job={job} />
      <JobFacts job={job} />
      <JobLog log={log} status={status} />
    </Flex>
  );
}

export default function RunPage() {
  return <JobRoute backTo="/training" render={(job) => <RunDetail job={job} />} />;
}
