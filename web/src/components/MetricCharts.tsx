/**
 * Line charts of a job's metric series (`GET /api/jobs/{id}/metrics`): one chart per group,
 * by default one per metric. The training module reuses it for loss / eval loss / learning
 * rate curves, passing `groups` to draw related series on one chart.
 */
import { Col, Empty, Row } from "antd";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";

import type { MetricPoint } from "../api/types";
import { useThemeMode } from "../app/theme";
import { type ChartOption, EChart } from "./EChart";

export interface MetricGroup {
  /** Chart title. */
  title: string;
  /** Names of the series drawn on this chart. */
  metrics: string[];
}

interface Props {
  series: Record<string, MetricPoint[]>;
  groups?: MetricGroup[];
  height?: number;
  /** Shown when there is no series at all. */
  emptyText?: string;
}

/** The option of one chart: steps on x, values on y, zoomable, without per-point symbols. */
export function metricChartOption(title: string, series: Record<string, MetricPoint[]>, metrics: string[],
                                  stepLabel: string): ChartOption {
  return {
    backgroundColor: "transparent",
    animation: false, // live data: redraw immediately
    title: { text: title, left: 8, top: 4, textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis", valueFormatter: (value) => (typeof value === "number" ? value.toPrecision(6) : String(value)) },
    legend: metrics.length > 1 ? { top: 4, right: 8 } : { show: false },
    grid: { left: 56, right: 20, top: 40, bottom: 36 },
    xAxis: { type: "value", name: stepLabel, nameLocation: "middle", nameGap: 24, minInterval: 1 },
    yAxis: { type: "value", scale: true },
    dataZoom: [{ type: "inside" }],
    series: metrics.map((name) => ({
      name,
      type: "line",
      showSymbol: (series[name]?.length ?? 0) < 2, // a lone point has no line to show it
      data: (series[name] ?? []).map((point) => [point.step, point.value]),
    })),
  };
}

export function MetricCharts({ series, groups, height = 260, emptyText }: Props) {
  const { t } = useTranslation();
  const { dark } = useThemeMode();
  const charts = useMemo(() => {
    const chosen = groups ?? Object.keys(series).sort().map((name) => ({ title: name, metrics: [name] }));
    return chosen
      .filter((group) => group.metrics.some((name) => (series[name]?.length ?? 0) > 0))
      .map((group) => ({ ...group, option: metricChartOption(group.title, series, group.metrics, t("metrics.step")) }));
  }, [series, groups, t]);

  if (charts.length === 0) return <Empty description={emptyText} />;
  return (
    <Row gutter={[16, 16]}>
      {charts.map((chart) => (
        <Col key={chart.title} xs={24} xl={charts.length === 1 ? 24 : 12}>
          <EChart option={chart.option} dark={dark} height={height} label={chart.title} />
        </Col>
      ))}
    </Row>
  );
}
