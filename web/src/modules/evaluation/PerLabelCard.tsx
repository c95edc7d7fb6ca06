/** The per-label precision, recall and F1 of a classification task, per model, and the answers that matched no label. */
import { Card, Flex, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";

import { type PerLabelRow, perLabelRows, unknownPredictions } from "./perLabel";
import { formatScore } from "./scores";
import type { EvalRun } from "./types";

export function PerLabelCard({ run }: { run: EvalRun }) {
  const { t } = useTranslation();
  const rows = useMemo(() => perLabelRows(run), [run]);
  const unknown = useMemo(() => unknownPredictions(run), [run]);
  if (rows.length === 0) return null;
  const score = (name: "precision" | "recall" | "f1") => ({
    title: name, dataIndex: name, width: 110, align: "right" as const, render: (value: number) => formatScore(name, value),
  });
  const columns: TableColumnsType<PerLabelRow> = [
    { title: t("evaluation.run.model"), dataIndex: "model", width: 200 },
    { title: t("evaluation.perLabel.label"), dataIndex: "label" },
    score("precision"), score("recall"), score("f1"),
    { title: t("evaluation.perLabel.support"), dataIndex: "support", width: 100, align: "right" },
  ];
  return (
    <Card size="small" title={t("evaluation.perLabel.title")} data-testid="per-label">
      <Flex vertical gap={8}>
        <Table<PerLabelRow> rowKey="key" size="small" columns={columns} dataSource={rows} pagination={false} />
        {unknown.map(({ model, answers }) => (
          <Typography.Text key={model} type="secondary">
            {t("evaluation.perLabel.unknown", { model })}{" "}
            {answers.map((answer) => <Tag key={answer}>{answer}</Tag>)}
          </Typography.Text>
        ))}
      </Flex>
    </Card>
  );
}
