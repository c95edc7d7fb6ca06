/**
 * Score tables of evaluation runs: one row per evaluated model (or per run and model when runs
 * are compared), one column per task metric or suite dimension, the best value of each column,
 * and each row's difference from the baseline model. Pure, so the tables are unit-tested.
 */
import type { Comparison, Dimension, EvalRun } from "./types";
import { DIMENSIONS } from "./types";

export interface ScoreRow {
  /** Unique within a table: the label in a run, "runId/label" in a comparison. */
  key: string;
  label: string;
  runId: number;
  runName: string;
  values: Record<string, number>;
}

// Metrics where a smaller value is the better one (edit rates); every other score grows with quality.
const LOWER_IS_BETTER: ReadonlySet<string> = new Set(["ter"]);
const DIMENSION_NAMES: ReadonlySet<string> = new Set(DIMENSIONS);

export function isLowerBetter(column: string): boolean {
  return LOWER_IS_BETTER.has(column);
}

export function isDimension(column: string): column is Dimension {
  return DIMENSION_NAMES.has(column);
}

/** A run's rows, in the order its models were given: task metrics and dimension scores together. */
export function runRows(run: Pick<EvalRun, "id" | "name" | "models" | "summary" | "dimensions">): ScoreRow[] {
  return run.models.map(({ label }) => ({
    key: label, label, runId: run.id, runName: run.name,
    values: { ...(run.summary[label] ?? {}), ...(run.dimensions[label] ?? {}) },
  }));
}

/** The rows of `GET /api/evaluation/compare`, keyed by run and model. */
export function comparisonRows(comparison: Comparison): ScoreRow[] {
  return comparison.rows.map((row) => ({
    key: `${row.run_id}/${row.label}`, label: row.label, runId: row.run_id, runName: row.run_name, values: row.values,
  }));
}

/** Every column some row has: task metrics by name, then the suite's overall score and its dimensions in radar order. */
export function scoreColumns(rows: readonly ScoreRow[]): string[] {
  const names = new Set(rows.flatMap((row) => Object.keys(row.values)));
  const metrics = [...names].filter((name) => !isDimension(name) && name !== "suite_overall").sort();
  const suite = [...(names.has("suite_overall") ? ["suite_overall"] : []),
                 ...DIMENSIONS.filter((name) => names.has(name))];
  return [...metrics, ...suite];
}

/**
 * Per column, the keys of the rows holding its best value (ties share it); none when fewer than
 * two rows compete or all of them score the same (nothing stands out).
 */
export function bestPerColumn(rows: readonly ScoreRow[], columns: readonly string[]): Record<string, Set<string>> {
  const best: Record<string, Set<string>> = {};
  for (const column of columns) {
    const scored = rows.filter((row) => Number.isFinite(row.values[column]));
    const values = scored.map((row) => row.values[column]!);
    if (scored.length < 2 || values.every((value) => value === values[0])) continue;
    const target = isLowerBetter(column) ? Math.min(...values) : Math.max(...values);
    best[column] = new Set(scored.filter((row) => row.values[column] === target).map((row) => row.key));
  }
  return best;
}

export interface Delta {
  value: number;
  /** Whether the change is for the better (a lower TER is). */
  better: boolean;
}

/** Each row's difference from the baseline row, per column both have; the baseline itself gets none. */
export function deltasFromBaseline(rows: readonly ScoreRow[], baselineKey: string | null | undefined,
                                   columns: readonly string[]): Record<string, Record<string, Delta>> {
  const baseline = rows.find((row) => row.key === baselineKey);
  const deltas: Record<string, Record<string, Delta>> = {};
  if (!baseline) return deltas;
  for (const row of rows) {
    if (row.key === baseline.key) continue;
    const own: Record<string, Delta> = {};
    for (const column of columns) {
      const value = row.values[column];
      const base = baseline.values[column];
      if (value === undefined || base === undefined || !Number.isFinite(value) || !Number.isFinite(base)) continue;
      const change = value - base;
      own[column] = { value: change, better: isLowerBetter(column) ? change < 0 : change > 0 };
    }
    deltas[row.key] = own;
  }
  return deltas;
}

/** A score for a table cell: dimensions are 0-100 (one decimal), metrics are fractions (three decimals). */
export function formatScore(column: string, value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "—";
  return isDimension(column) || column === "suite_overall" ? value.toFixed(1) : value.toFixed(3);
}

/** A difference with its sign, in the same precision as the score. */
export function formatDelta(column: string, delta: number): string {
  const text = formatScore(column, Math.abs(delta));
  if (Number(text) === 0) return `±${text}`;
  return `${delta > 0 ? "+" : "−"}${text}`;
}

/**
 * The columns a run list shows for each model: the task's headline metric (the first one the
 * run asked for, else the first it reported) and the suite's overall score, when the run has them.
 */
export function headlineColumns(run: Pick<EvalRun, "config" | "summary">): string[] {
  const reported = new Set(Object.values(run.summary).flatMap((values) => Object.keys(values)));
  const task = run.config.task as { metrics?: unknown } | null | undefined;
  const asked = Array.isArray(task?.metrics) ? task.metrics.filter((name): name is string => typeof name === "string") : [];
  const taskMetrics = [...reported].filter((name) => name !== "suite_overall" && !isDimension(name)).sort();
  const first = asked.find((name) => reported.has(name)) ?? taskMetrics[0];
  return [...(first ? [first] : []), ...(reported.has("suite_overall") ? ["suite_overall"] : [])];
}
