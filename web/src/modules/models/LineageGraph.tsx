/**
 * The lineage graph of a version drawn with ECharts (training data → job → version ← base, and
 * the versions made from it). Clicking a node opens its page. Its own small chart component
 * rather than `components/EChart`: a graph needs the graph series and node clicks, which the
 * shared wrapper neither registers nor forwards. The same links are listed below the canvas for
 * screen readers and keyboard users.
 */
import { Flex, Typography } from "antd";
import { GraphChart } from "echarts/charts";
import { TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useMemo, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";

import { useThemeMode } from "../../app/theme";
import { buildLineageGraph, type LineageNodeKind } from "./lineageGraph";
import type { Lineage, ModelVersion } from "./types";

echarts.use([GraphChart, TooltipComponent, CanvasRenderer]);

const COLORS: Record<LineageNodeKind, string> = {
  current: "#1677ff", version: "#52c41a", job: "#fa8c16", dataset: "#722ed1",
};

export function LineageGraph({ version, lineage }: { version: ModelVersion; lineage: Lineage }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { dark } = useThemeMode();
  const container = useRef<HTMLDivElement>(null);
  const graph = useMemo(() => buildLineageGraph(version, lineage, {
    job: (job) => t("models.lineage.job", { id: job.id, kind: job.kind }),
    dataset: (dataset) => t("models.lineage.dataset", { id: dataset.dataset_id, number: dataset.number }),
  }), [version, lineage, t]);
  const others = graph.nodes.filter((node) => node.kind !== "current");

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const chart = echarts.init(element, dark ? "dark" : undefined);
    chart.setOption({
      backgroundColor: "transparent",
      tooltip: { formatter: (params: { dataType?: string; name?: string }) => params.dataType === "node" ? (params.name ?? "") : "" },
      series: [{
        type: "graph", layout: "none", roam: true, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 9,
        label: { show: true, position: "bottom", fontSize: 12 },
        edgeLabel: { show: true, fontSize: 11, formatter: (params: { data?: { relation?: string } }) =>
          params.data?.relation ? t(`models.lineage.relations.${params.data.relation as "base"}`) : "" },
        lineStyle: { width: 1.5, curveness: 0.1, opacity: 0.8 },
        data: graph.nodes.map((node) => ({
          id: node.id, name: node.label, x: node.x, y: node.y, symbolSize: node.kind === "current" ? 46 : 32,
          symbol: node.kind === "job" ? "roundRect" : node.kind === "dataset" ? "diamond" : "circle",
          itemStyle: { color: COLORS[node.kind] }, href: node.href,
        })),
        links: graph.links.map((link) => ({ source: link.source, target: link.target, relation: link.relation })),
      }],
    });
    chart.on("click", (params) => {
      const href = (params.data as { href?: string } | undefined)?.href;
      if (params.dataType === "node" && href) void navigate(href);
    });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [graph, dark, navigate, t]);

  return (
    <Flex vertical gap={8} data-testid="lineage">
      <div ref={container} role="img" aria-label={t("models.lineage.title")} data-testid="lineage-graph"
           style={{ width: "100%", height: others.length === 0 ? 120 : 280 }} />
      {others.length === 0
        ? <Typography.Text type="secondary">{t("models.lineage.alone")}</Typography.Text>
        : (
          <Flex gap={12} wrap data-testid="lineage-links">
            {others.map((node) => (
              <Link key={node.id} to={node.href} data-kind={node.kind}>{node.label}</Link>
            ))}
          </Flex>
        )}
    </Flex>
  );
}
