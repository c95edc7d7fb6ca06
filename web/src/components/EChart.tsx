/**
 * A small React wrapper around ECharts, importing only the chart types the console draws so
 * the chart chunk stays small. Re-creates the chart when the theme changes (ECharts themes are
 * fixed at init) and follows its container's size.
 */
import {
  BarChart, type BarSeriesOption, GaugeChart, type GaugeSeriesOption, LineChart, type LineSeriesOption, PieChart,
  type PieSeriesOption, RadarChart, type RadarSeriesOption,
} from "echarts/charts";
import {
  DataZoomComponent, type DataZoomComponentOption, GridComponent, type GridComponentOption,
  LegendComponent, type LegendComponentOption, RadarComponent, type RadarComponentOption, TitleComponent, type TitleComponentOption,
  TooltipComponent, type TooltipComponentOption,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

echarts.use([LineChart, BarChart, PieChart, GaugeChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DataZoomComponent,
             RadarChart, RadarComponent, CanvasRenderer]);

export type ChartOption = echarts.ComposeOption<
  LineSeriesOption | BarSeriesOption | PieSeriesOption | GaugeSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption
  | TitleComponentOption | DataZoomComponentOption | RadarSeriesOption | RadarComponentOption
>;

interface Props {
  option: ChartOption;
  dark?: boolean;
  height?: number;
  /** Accessible name of the chart (the canvas itself says nothing to screen readers). */
  label: string;
}

export function EChart({ option, dark = false, height = 260, label }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const instance = echarts.init(element, dark ? "dark" : undefined);
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [dark]);

  useEffect(() => {
    // Merge, not replace: live updates keep the user's zoom and hover state.
    chart.current?.setOption(option);
  }, [option, dark]);

  return <div ref={container} role="img" aria-label={label} style={{ width: "100%", height }} />;
}
