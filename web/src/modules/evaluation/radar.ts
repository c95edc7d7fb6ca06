/**
 * The radar chart of the general suite: one axis per dimension (0-100), one polygon per model,
 * the baseline drawn dashed so a fine-tuned version's losses against its base stand out.
 */
import type { ChartOption } from "../../components/EChart";
import type { ScoreRow } from "./scores";
import { isDimension } from "./scores";
import { DIMENSIONS } from "./types";

export interface RadarInput {
  rows: readonly ScoreRow[];
  /** How a row is named in the legend. */
  name: (row: ScoreRow) => string;
  /** How a dimension is named on its axis. */
  axis: (dimension: string) => string;
  /** Key of the row drawn dashed as the reference. */
  baselineKey?: string | null;
}

/** The rows that scored at least one dimension (a task-only run has nothing to draw). */
export function radarRows(rows: readonly ScoreRow[]): ScoreRow[] {
  return rows.filter((row) => Object.keys(row.values).some(isDimension));
}

/** The dimensions some row scored, in the suite's order. */
export function radarDimensions(rows: readonly ScoreRow[]): string[] {
  return DIMENSIONS.filter((dimension) => rows.some((row) => Number.isFinite(row.values[dimension])));
}

/** The ECharts option: null when fewer than three dimensions were scored (no polygon to draw). */
export function radarOption({ rows, name, axis, baselineKey }: RadarInput): ChartOption | null {
  const drawn = radarRows(rows);
  const dimensions = radarDimensions(drawn);
  if (dimensions.length < 3) return null;
  return {
    backgroundColor: "transparent",
    animation: false,
    tooltip: { trigger: "item" },
    legend: { bottom: 0, data: drawn.map(name) },
    radar: {
      indicator: dimensions.map((dimension) => ({ name: axis(dimension), min: 0, max: 100 })),
      radius: "65%",
      center: ["50%", "48%"],
    },
    series: [{
      type: "radar",
      data: drawn.map((row) => ({
        name: name(row),
        // A dimension this model was not scored on sits at the centre rather than breaking the polygon.
        value: dimensions.map((dimension) => row.values[dimension] ?? 0),
        lineStyle: { type: row.key === baselineKey ? "dashed" : "solid", width: 2 },
        areaStyle: { opacity: row.key === baselineKey ? 0.05 : 0.15 },
      })),
    }],
  };
}
