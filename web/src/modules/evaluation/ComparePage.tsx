/**
 * Several evaluation runs side by side (`?runs=3,5`): one row per run and model with every metric
 * and dimension, the best of each column highlighted, and every model's dimensions overlaid on one
 * radar chart.
 */
import { ArrowLeftOutlined } from "@ant-design/icons";
import { Button, Card, Empty, Flex, Spin } from "antd";
import { useCallback, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { PageHeader } from "../../components/PageHeader";
import { QueryError } from "../../components/QueryError";
import { parseRunIds } from "../training/compare";
import { useComparison } from "./api";
import { RadarChart } from "./RadarChart";
import { comparisonRows, type ScoreRow } from "./scores";
import { SummaryTable } from "./SummaryTable";

export default function ComparePage() {
  const { t } = useTranslation();
  const [searchParams] = useSearchParams();
  const ids = useMemo(() => parseRunIds(searchParams.get("runs")), [searchParams]);
  const comparison = useComparison(ids);
  const rows = useMemo(() => (comparison.data ? comparisonRows(comparison.data) : []), [comparison.data]);
  const rowName = useCallback((row: ScoreRow) => `#${row.runId} ${row.label}`, []);

  return (
    <Flex vertical gap={16}>
      <PageHeader title={t("evaluation.compare.title")}
                  extra={<Link to="/evaluation"><Button icon={<ArrowLeftOutlined />}>{t("common.back")}</Button></Link>} />
      {ids.length < 2 && <Empty description={t("evaluation.compare.needTwo")} />}
      {comparison.isError && <QueryError error={comparison.error} onRetry={() => void comparison.refetch()} />}
      {ids.length >= 2 && comparison.isPending && <Spin />}
      {ids.length >= 2 && comparison.data && (
        <>
          <Card size="small" title={t("evaluation.run.summary")} data-testid="compare-scores">
            <SummaryTable rows={rows} showRun emptyText={t("evaluation.run.noScores")} />
          </Card>
          <Card size="small" title={t("evaluation.compare.radar")} data-testid="compare-radar">
            <RadarChart rows={rows} name={rowName} height={440} />
          </Card>
        </>
      )}
    </Flex>
  );
}
