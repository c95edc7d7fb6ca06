/**
 * The score table: one row per model (per run and model when runs are compared), one column per
 * metric or dimension, each column's best value highlighted and, when a baseline is given, every
 * other row's difference from it (green when better, red when worse).
 */
import { Flex, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { useScoreName } from "./ScoreName";
import { bestPerColumn, deltasFromBaseline, formatDelta, formatScore, type ScoreRow, scoreColumns } from "./scores";

interface Props {
  rows: ScoreRow[];
  baselineKey?: string | null;
  /** Show which run each row belongs to (the comparison page). */
  showRun?: boolean;
  emptyText?: string;
}

export function SummaryTable({ rows, baselineKey, showRun = false, emptyText }: Props) {
  const { t } = useTranslation();
  const scoreName = useScoreName();
  const columns = useMemo(() => scoreColumns(rows), [rows]);
  const best = useMemo(() => bestPerColumn(rows, columns), [rows, columns]);
  const deltas = useMemo(() => deltasFromBaseline(rows, baselineKey, columns), [rows, baselineKey, columns]);

  const tableColumns: TableColumnsType<ScoreRow> = [
    ...(showRun ? [{
      title: t("evaluation.compare.run"), key: "run", fixed: "left" as const, width: 180,
      render: (_: unknown, row: ScoreRow) => <Link to={`/evaluation/runs/${row.runId}`}>{`#${row.runId} ${row.runName}`}</Link>,
    }] : []),
    {
      title: t("evaluation.run.model"), key: "model", fixed: "left", width: 200,
      render: (_, row) => (
        <Flex gap={4} align="center" wrap>
          <Typography.Text>{row.label}</Typography.Text>
          {row.key === baselineKey && <Tag>{t("evaluation.run.baselineTag")}</Tag>}
        </Flex>
      ),
    },
    ...columns.map((column) => ({
      title: scoreName(column), key: column, align: "right" as const, width: 120,
      render: (_: unknown, row: ScoreRow) => {
        const delta = deltas[row.key]?.[column];
        const isBest = best[column]?.has(row.key) ?? false;
        return (
          <Flex vertical align="end" data-testid={`score-${column}`} data-best={isBest || undefined}>
            <Typography.Text strong={isBest} type={isBest ? "success" : undefined}>
              {formatScore(column, row.values[column])}
            </Typography.Text>
            {delta && (
              <Typography.Text type={delta.value === 0 ? "secondary" : delta.better ? "success" : "danger"}
                               style={{ fontSize: 12 }}>
                {formatDelta(column, delta.value)}
              </Typography.Text>
            )}
          </Flex>
        );
      },
    })),
  ];

  return (
    <Table<ScoreRow> rowKey="key" size="small" columns={tableColumns} dataSource={rows} pagination={false}
                     scroll={{ x: "max-content" }} locale={{ emptyText }} data-testid="score-table" />
  );
}
