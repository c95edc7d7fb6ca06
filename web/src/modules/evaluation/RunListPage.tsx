/**
 * Evaluation runs: models, state and progress, the headline scores per model; select two or
 * more to compare them side by side.
 */
import { LineChartOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Flex, type TableColumnsType, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";

import type { JobState } from "../../api/types";
import { useCan } from "../../auth/useMe";
import { PageHeader } from "../../components/PageHeader";
import { SelectableRunTable } from "../../components/SelectableRunTable";
import { formatDateTime, progressPercent } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { JobStateTag } from "../jobs/JobStateTag";
import { useEvalRuns, isLive } from "./api";
import { ScoreName } from "./ScoreName";
import { formatScore, headlineColumns } from "./scores";
import type { EvalRun } from "./types";

/** Each model's headline scores, one line per model. */
function Headline({ run }: { run: EvalRun }) {
  const columns = headlineColumns(run);
  if (columns.length === 0) return <>—</>;
  return (
    <Flex vertical gap={2}>
      {run.models.map(({ label }) => (
        <Typography.Text key={label} style={{ fontSize: 12 }}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{label}</Typography.Text>
          {columns.map((column) => (
            <span key={column}>{" · "}<ScoreName name={column} />{` ${formatScore(column, run.summary[label]?.[column])}`}</span>
          ))}
        </Typography.Text>
      ))}
    </Flex>
  );
}

export default function RunListPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const can = useCan();
  const list = useListParams();
  const runs = useEvalRuns(list.page, list.pageSize);
  const [selected, setSelected] = useState<number[]>([]);

  const columns: TableColumnsType<EvalRun> = [
    { title: t("evaluation.runs.run"), key: "run",
      render: (_, run) => <Link to={`/evaluation/runs/${run.id}`}>{`#${run.id} ${run.name}`}</Link> },
    { title: t("evaluation.runs.models"), key: "models", width: 260,
      render: (_, run) => (
        <Flex gap={4} wrap>
          {run.models.map((model) => (
            <Tag key={model.label} color={model.label === run.baseline ? "default" : "blue"}>{model.label}</Tag>
          ))}
        </Flex>
      ) },
    { title: t("jobs.state"), key: "state", width: 170,
      render: (_, run) => (
        <Flex vertical gap={2}>
          <JobStateTag state={run.state as JobState} />
          {isLive(run) && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{`${progressPercent(run.progress)} %`}</Typography.Text>}
        </Flex>
      ) },
    { title: t("evaluation.runs.headline"), key: "headline", render: (_, run) => <Headline run={run} /> },
    { title: t("evaluation.runs.created"), dataIndex: "created_at", width: 170,
      render: (value: string) => formatDateTime(value) },
  ];

  return (
    <>
      <PageHeader
        title={t("evaluation.title")}
        extra={
          <>
            <Button icon={<LineChartOutlined />} disabled={selected.length < 2} data-testid="compare-eval-runs"
                    onClick={() => void navigate(`/evaluation/compare?runs=${selected.join(",")}`)}>
              {t("evaluation.runs.compare", { count: selected.length })}
            </Button>
            {can("evaluation:write") && (
              <Link to="/evaluation/new">
                <Button type="primary" icon={<PlusOutlined />}>{t("evaluation.runs.newRun")}</Button>
              </Link>
            )}
          </>
        }
      >
        <Typography.Text type="secondary">{t("evaluation.runs.compareHelp")}</Typography.Text>
      </PageHeader>
      <SelectableRunTable<EvalRun> runs={runs} columns={columns} list={list} selected={selected}
                                 onSelect={setSelected} emptyText={t("evaluation.runs.empty")} />
    </>
  );
}
