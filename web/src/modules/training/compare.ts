/**
 * Overlaying several runs' curves: one chart per metric, one line per run, on shared axes.
 * The result feeds `MetricCharts` (series keyed by "metric · run", groups per metric), so the
 * comparison draws exactly like a single run's charts.
 */
import type { MetricGroup } from "../../components/MetricCharts";
import type { MetricPoint } from "../../api/types";

/** The curves a comparison shows, in this order, when any run has them. */
export const COMPARED_METRICS = ["loss", "eval_loss", "learning_rate", "grad_norm"] as const;

export interface RunCurves {
  id: number;
  /** How the run is named in legends, e.g. "#12 SFT SmolLM2 …". */
  label: string;
  series: Record<string, MetricPoint[]>;
}

export interface MergedCurves {
  series: Record<string, MetricPoint[]>;
  groups: MetricGroup[];
}

/** The run ids of `?ids=3,5,8`: positive whole numbers, each once, in the order given. */
export function parseRunIds(text: string | null | undefined): number[] {
  const ids = (text ?? "").split(",").map((part) => part.trim()).filter((part) => /^\d+$/.test(part)).map(Number);
  return [...new Set(ids.filter((id) => id > 0))];
}

/** One group per metric that some run reports; each run's line is named by the run's label. */
export function mergeRunCurves(runs: readonly RunCurves[], metrics: readonly string[] = COMPARED_METRICS,
                               title: (metric: string) => string = (metric) => metric): MergedCurves {
  const series: Record<string, MetricPoint[]> = {};
  const groups: MetricGroup[] = [];
  for (const metric of metrics) {
    const lines: string[] = [];
    for (const run of runs) {
      const points = run.series[metric] ?? [];
      if (points.length === 0) continue;
      const key = `${metric} · ${run.label}`;
      series[key] = points;
      lines.push(key);
    }
    if (lines.length > 0) groups.push({ title: title(metric), metrics: lines });
  }
  return { series, groups };
}
