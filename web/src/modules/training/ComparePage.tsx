/**
 * Several runs side by side: their loss, eval loss, learning rate and grad norm overlaid on
 * shared axes (one chart per metric, one line per run), live while any of them trains.
 */
import { ArrowLeftOutlined } from "@ant-design/icons";
import { Button, Card, Empty, Flex, Table, type TableColumnsType } from "antd";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import type { Job, JobState } from "../../api/types";
import { MetricCharts } from "../../components/MetricCharts";
import { PageHeader } from "../../components/PageHeader";
import { QueryError } from "../../components/QueryError";
import { JobProgress } from "../jobs/JobProgress";
import { JobStateTag } from "../jobs/JobStateTag";
import { useRunsWithMetrics } from "./api";
import { COMPARED_METRICS, mergeRunCurves, parseRunIds, type RunCurves } from "./compare";
import { baseName, finalLoss } from "./runs";

export default function ComparePage() {
  const { t } = useTranslation();
  const [searchParams] = useSearchParams();
  const ids = useMemo(() => parseRunIds(searchParams.get("ids")), [searchParams]);
  const { jobs, metrics } = useRunsWithMetrics(ids);
  const failed = jobs.find((query) => query.isError) ?? metrics.find((query) => query.isError);
  const loaded = jobs.flatMap((query) => (query.data ? [query.data] : []));

  const runs: RunCurves[] = ids.flatMap((id, index) => {
    const job = jobs[index]?.data;
    return job ? [{ id, label: `#${id} ${job.name || job.kind}`, series: metrics[index]?.data?.series ?? {} }] : [];
  });
  const titles: Record<string, string> = {
    loss: t("training.compare.loss"), eval_loss: t("training.compare.evalLoss"),
    learning_rate: t("training.compare.learningRate"), grad_norm: t("training.compare.gradNorm"),
  };
  const merged = mergeRunCurves(runs, COMPARED_METRICS, (metric) => titles[metric] ?? metric);

  const columns: TableColumnsType<Job> = [
    { title: t("training.runs.run"), key: "run",
      render: (_, job) => <Link to={`/training/runs/${job.id}`}>{`#${job.id} ${job.name || job.kind}`}</Link> },
    { title: t("jobs.state"), dataIndex: "state", width: 130, render: (value: JobState) => <JobStateTag state={value} /> },
    { title: t("training.runs.base"), key: "base", render: (_, job) => baseName(job.params) },
    { title: t("jobs.progress"), key: "progress", width: 180, render: (_, job) => <JobProgress job={job} compact /> },
    { title: t("training.runs.finalLoss"), key: "loss", width: 110, render: (_, job) => finalLoss(job)?.toFixed(4) ?? "—" },
  ];

  return (
    <Flex vertical gap={16}>
      <PageHeader title={t("training.compare.title")}
                  extra={<Link to="/training"><Button icon={<ArrowLeftOutlined />}>{t("common.back")}</Button></Link>} />
      {ids.length < 2 && <Empty description={t("training.compare.needTwo")} />}
      {failed?.error && <QueryError error={failed.error} />}
      {ids.length >= 2 && (
        <>
          <Table<Job> rowKey="id" size="small" columns={columns} dataSource={loaded} pagination={false} />
          <Card size="small" title={t("training.compare.curves")} data-testid="compare-curves">
            <MetricCharts series={merged.series} groups={merged.groups} emptyText={t("training.compare.noCurves")} />
          </Card>
        </>
      )}
    </Flex>
  );
}
