/**
 * One evaluation run: progress with ETA while it works (polled), the score table
 * per model against the baseline, the radar chart of the general suite, the per-example browser,
 * and the next steps: a sample to human evaluation, a check against the deploy gate.
 */
import { ArrowLeftOutlined, SafetyCertificateOutlined, TeamOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Col, Flex, Progress, Result, Row, Space, Typography } from "antd";
import { useCallback, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { ApiError } from "../../api/errors";
import type { JobState } from "../../api/types";
import { useCan } from "../../auth/useMe";
import { FullPageSpin } from "../../components/FullPageSpin";
import { JsonBlock } from "../../components/JsonBlock";
import { PageHeader } from "../../components/PageHeader";
import { QueryError } from "../../components/QueryError";
import { currentLang } from "../../i18n";
import { formatEta, progressPercent } from "../../lib/format";
import { useJob } from "../jobs/api";
import { JobActions } from "../jobs/JobActions";
import { JobStateTag } from "../jobs/JobStateTag";
import { isLive, useEvalRun } from "./api";
import { PerLabelCard } from "./PerLabelCard";
import { RadarChart } from "./RadarChart";
import { RecordBrowser } from "./RecordBrowser";
import { runRows, type ScoreRow } from "./scores";
import { SummaryTable } from "./SummaryTable";
import type { EvalRun } from "./types";

/** Progress with the time left while the run works, and why it failed when it did (from the run itself: readers need no jobs permission). */
function RunProgress({ run }: { run: EvalRun }) {
  const { t, i18n } = useTranslation();
  const eta = run.state === "running" ? formatEta(run.eta_seconds, currentLang(i18n.resolvedLanguage)) : null;
  return (
    <>
      {isLive(run) && (
        <Card size="small" title={t("evaluation.run.progress")} data-testid="run-progress">
          <Progress percent={progressPercent(run.progress)} status="active" />
          {eta && <Typography.Text type="secondary" data-testid="run-eta">{t("jobs.eta", { duration: eta })}</Typography.Text>}
        </Card>
      )}
      {run.error && (
        <Alert type="error" showIcon title={t("jobs.error")} data-testid="run-error"
               description={<pre className="llmore-log">{run.error}</pre>} />
      )}
    </>
  );
}

function RunDetail({ run }: { run: EvalRun }) {
  const { t } = useTranslation();
  const can = useCan();
  // Cancel and retry are the job's; readers without the jobs permission get neither.
  const job = useJob(run.job_id, can("jobs:read"));
  const rows = useMemo(() => runRows(run), [run]);
  const scored = rows.some((row) => Object.keys(row.values).length > 0);
  const rowName = useCallback((row: ScoreRow) => row.label, []);
  return (
    <Flex vertical gap={16}>
      <PageHeader
        title={<Space>{`#${run.id} ${run.name}`}<JobStateTag state={run.state as JobState} /></Space>}
        extra={
          <>
            <Link to="/evaluation"><Button icon={<ArrowLeftOutlined />}>{t("common.back")}</Button></Link>
            {can("evaluation:write") && (
              <Link to={`/evaluation/human?run=${run.id}`} data-testid="send-to-human">
                <Button icon={<TeamOutlined />}>{t("evaluation.run.sendToHuman")}</Button>
              </Link>
            )}
            <Link to={`/evaluation/gates?run=${run.id}`} data-testid="check-gate">
              <Button icon={<SafetyCertificateOutlined />}>{t("evaluation.run.checkGate")}</Button>
            </Link>
            {can("jobs:read") && <Link to={`/jobs/${run.job_id}`}><Button>{t("evaluation.run.jobPage")}</Button></Link>}
            {job.data && <JobActions job={job.data} />}
          </>
        }
      />
      <RunProgress run={run} />
      <Card size="small" title={t("evaluation.run.summary")} data-testid="run-scores">
        <Flex vertical gap={8}>
          {scored && (
            <Typography.Text type="secondary">{t("evaluation.run.summaryHelp", { baseline: run.baseline })}</Typography.Text>
          )}
          <SummaryTable rows={scored ? rows : []} baselineKey={run.baseline} emptyText={t("evaluation.run.noScores")} />
        </Flex>
      </Card>
      <PerLabelCard run={run} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card size="small" title={t("evaluation.run.radar")} data-testid="run-radar"
                extra={<Typography.Text type="secondary">{t("evaluation.run.radarHelp")}</Typography.Text>}>
            <RadarChart rows={rows} name={rowName} baselineKey={run.baseline} />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={t("evaluation.run.config")}><JsonBlock value={run.config} /></Card>
        </Col>
      </Row>
      <RecordBrowser run={run} />
    </Flex>
  );
}

/** Loads the run the route's `:runId` names; an id that is no run gets a 404 page with a way back. */
export default function RunPage() {
  const { t } = useTranslation();
  const rawId = useParams().runId ?? "";
  const runId = /^\d+$/.test(rawId) ? Number(rawId) : null;
  const run = useEvalRun(runId ?? 0, runId !== null);
  if (runId === null || (run.error instanceof ApiError && run.error.status === 404)) {
    return <Result status="404" title={t("evaluation.run.notFound", { id: rawId })}
                   extra={<Link to="/evaluation"><Button>{t("common.back")}</Button></Link>} />;
  }
  if (run.isPending) return <FullPageSpin />;
  if (run.isError) return <QueryError error={run.error} onRetry={() => void run.refetch()} />;
  return <RunDetail run={run.data} />;
}
