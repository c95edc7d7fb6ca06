/**
 * Fine-tuning runs (jobs whose kind starts with `training.`): state, base, data, progress and
 * final loss; select two or more to compare their curves.
 */
import { LineChartOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Flex, type TableColumnsType, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";

import type { Job, JobState } from "../../api/types";
import { useCan } from "../../auth/useMe";
import { PageHeader } from "../../components/PageHeader";
import { SelectableRunTable } from "../../components/SelectableRunTable";
import { formatDateTime } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { JobProgress } from "../jobs/JobProgress";
import { JobStateTag } from "../jobs/JobStateTag";
import { useTrainingRuns } from "./api";
import { baseName, datasetOf, finalLoss } from "./runs";

export default function RunListPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const can = useCan();
  const list = useListParams();
  const runs = useTrainingRuns(list.page, list.pageSize);
  const [selected, setSelected] = useState<number[]>([]);

  const columns: TableColumnsType<Job> = [
    {
      title: t("training.runs.run"), key: "run",
      render: (_, job) => (
        <Flex vertical>
          <Link to={`/training/runs/${job.id}`}>{`#${job.id} ${job.name || job.kind}`}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{job.kind}</Typography.Text>
        </Flex>
      ),
    },
    { title: t("jobs.state"), dataIndex: "state", width: 130, render: (value: JobState) => <JobStateTag state={value} /> },
    { title: t("training.runs.base"), key: "base", width: 200, render: (_, job) => baseName(job.params) },
    {
      title: t("training.runs.dataset"), key: "dataset", width: 170,
      render: (_, job) => {
        const dataset = datasetOf(job.params);
        return dataset ? (
          <Link to={`/data/${dataset.id}`}>
            {t("training.runs.datasetRef", { id: dataset.id, number: dataset.number })}
            {dataset.split ? ` (${dataset.split})` : ""}
          </Link>
        ) : "—";
      },
    },
    { title: t("jobs.progress"), key: "progress", width: 180, render: (_, job) => <JobProgress job={job} compact /> },
    {
      title: t("training.runs.finalLoss"), key: "loss", width: 110,
      render: (_, job) => finalLoss(job)?.toFixed(4) ?? "—",
    },
    { title: t("jobs.createdAt"), dataIndex: "created_at", width: 170, render: (value: string) => formatDateTime(value) },
  ];

  return (
    <>
      <PageHeader
        title={t("training.runs.title")}
        extra={
          <>
            <Button icon={<LineChartOutlined />} disabled={selected.length < 2} data-testid="compare-runs"
                    onClick={() => void navigate(`/training/compare?ids=${selected.join(",")}`)}>
              {t("training.runs.compare", { count: selected.length })}
            </Button>
            {can("jobs:write") && (
              <Link to="/training/new"><Button type="primary" icon={<PlusOutlined />}>{t("training.runs.newRun")}</Button></Link>
            )}
          </>
        }
      >
        <Typography.Text type="secondary">{t("training.runs.compareHelp")}</Typography.Text>
      </PageHeader>
      <SelectableRunTable<Job> runs={runs} columns={columns} list={list} selected={selected}
                                 onSelect={setSelected} emptyText={t("training.runs.empty")} />
    </>
  );
}
