/**
 * A task's results: accepted scores per model and criterion, agreement between evaluators, each
 * evaluator's progress, and the merge of the accepted scores into the run.
 */
import { CheckCircleOutlined } from "@ant-design/icons";
import { App, Button, Card, Flex, Spin, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { useCan } from "../../../auth/useMe";
import { PageHeader } from "../../../components/PageHeader";
import { QueryError } from "../../../components/QueryError";
import { errorMessage } from "../../../lib/errorMessage";
import { formatDateTime } from "../../../lib/format";
import { useHumanTask, useMerge, useResults } from "./api";
import { formatValue, reliability } from "./results";
import type { CriterionAgreement, EvaluatorProgress, Results } from "./types";

type ModelRow = Results["models"][number];
const RELIABILITY_COLORS = { good: "success", tentative: "warning", poor: "error" } as const;

function Value({ value, digits }: { value: number | null | undefined; digits?: number }) {
  const { t } = useTranslation();
  const text = formatValue(value, digits);
  if (text === null) return <Typography.Text type="secondary">{t("humanEval.result.undefined")}</Typography.Text>;
  return <>{text}</>;
}

function Alpha({ value }: { value: number | null }) {
  const { t } = useTranslation();
  const grade = reliability(value);
  return (
    <Flex gap={6} align="center">
      <Value value={value} digits={3} />
      {grade && <Tag color={RELIABILITY_COLORS[grade]}>{t(`humanEval.result.reliability.${grade}`)}</Tag>}
    </Flex>
  );
}

function ResultTables({ results }: { results: Results }) {
  const { t } = useTranslation();
  const modelColumns: TableColumnsType<ModelRow> = [
    { title: t("humanEval.result.model"), dataIndex: "label" },
    { title: t("humanEval.result.items"), key: "items", render: (_, row) => `${row.scored_items} / ${row.items}` },
    ...results.criteria.map((criterion) => ({
      title: `${criterion.name} (1–${criterion.scale})`, key: criterion.name,
      render: (_: unknown, row: ModelRow) => <Value value={row.means[criterion.name]} />,
    })),
    { title: t("humanEval.result.overall"), key: "overall",
      render: (_, row) => <Value value={row.overall} digits={3} /> },
  ];
  const agreementColumns: TableColumnsType<CriterionAgreement> = [
    { title: t("humanEval.result.criterion"), dataIndex: "criterion" },
    { title: t("humanEval.result.overlapping"), dataIndex: "items", width: 140 },
    { title: t("humanEval.result.alphaOrdinal"), key: "ordinal",
      render: (_, row) => <Alpha value={row.alpha_ordinal} /> },
    { title: t("humanEval.result.alphaInterval"), key: "interval",
      render: (_, row) => <Alpha value={row.alpha_interval} /> },
    { title: t("humanEval.result.kappa"), key: "pairs",
      render: (_, row) => (
        <Flex vertical gap={2}>
          {row.pairs.map((pair) => (
            <Typography.Text key={`${pair.evaluator_a}:${pair.evaluator_b}`} style={{ fontSize: 12 }}>
              {`${pair.evaluator_a} · ${pair.evaluator_b} (${pair.items}): `}<Value value={pair.kappa} digits={3} />
            </Typography.Text>
          ))}
        </Flex>
      ) },
  ];
  const progressColumns: TableColumnsType<EvaluatorProgress> = [
    { title: t("humanEval.result.evaluator"), dataIndex: "username" },
    { title: t("humanEval.result.pending"), key: "pending", render: (_, row) => row.pending + row.skipped },
    { title: t("humanEval.result.scored"), dataIndex: "scored" },
    { title: t("humanEval.result.returned"), dataIndex: "returned" },
    { title: t("humanEval.result.acceptedCount"), key: "accepted", render: (_, row) => `${row.accepted} / ${row.total}` },
  ];
  return (
    <Flex vertical gap={16}>
      <Card size="small" title={t("humanEval.result.perModel")}>
        <Table<ModelRow> rowKey="label" size="small" pagination={false} columns={modelColumns}
                         dataSource={results.models} data-testid="human-model-results" scroll={{ x: 700 }} />
      </Card>
      <Card size="small" title={t("humanEval.result.agreement")}>
        <Typography.Paragraph type="secondary">{t("humanEval.result.agreementHelp")}</Typography.Paragraph>
        <Table<CriterionAgreement> rowKey="criterion" size="small" pagination={false} columns={agreementColumns}
                                   dataSource={results.agreement} data-testid="human-agreement" scroll={{ x: 700 }} />
      </Card>
      <Card size="small" title={t("humanEval.result.evaluators")}>
        <Table<EvaluatorProgress> rowKey="evaluator_id" size="small" pagination={false} columns={progressColumns}
                                  dataSource={results.progress} data-testid="human-progress" />
      </Card>
    </Flex>
  );
}

export default function ResultsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const can = useCan();
  const taskId = Number(useParams().taskId);
  const task = useHumanTask(taskId);
  const results = useResults(taskId);
  const merge = useMerge();

  if (task.isError || results.isError) {
    return <QueryError error={task.error ?? results.error} onRetry={() => void results.refetch()} />;
  }
  if (!task.data || !results.data) return <Spin />;
  return (
    <>
      <PageHeader
        title={t("humanEval.result.title", { name: task.data.name })}
        extra={
          <>
            <Link to="/evaluation/human"><Button>{t("common.back")}</Button></Link>
            <Link to={`/evaluation/runs/${task.data.run_id}`}>
              <Button>{`${t("humanEval.run")}: ${task.data.run_name}`}</Button>
            </Link>
            {can("evaluation:write") && (
              <Button type="primary" loading={merge.isPending}
                      onClick={() => merge.mutate(taskId, {
                        onSuccess: () => message.success(t("humanEval.result.mergedOk")),
                        onError: (error) => message.error(errorMessage(error, t)),
                      })}>
                {t("humanEval.result.merge")}
              </Button>
            )}
          </>
        }
      >
        <Typography.Text type={results.data.merged_at ? "success" : "secondary"} data-testid="merge-state">
          {results.data.merged_at
            ? <><CheckCircleOutlined /> {t("humanEval.merged", { when: formatDateTime(results.data.merged_at) })}</>
            : t("humanEval.result.notMerged")}
          {results.data.complete && <Tag color="success" style={{ marginLeft: 8 }}>{t("humanEval.complete")}</Tag>}
        </Typography.Text>
      </PageHeader>
      <ResultTables results={results.data} />
    </>
  );
}
