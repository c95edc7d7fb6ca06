/**
 * Per-label precision, recall and F1 of classification tasks, read from a run's `details`
 * (`{label: {per_label: {gold label: {precision, recall, f1, support}}, unknown_predictions}}`),
 * so a macro F1 can be traced to the intents a model confuses.
 */
import type { EvalRun } from "./types";

export interface PerLabelRow {
  key: string;
  model: string;
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** One row per model and gold label, in the run's model order and label order; malformed entries are left out. */
export function perLabelRows(run: Pick<EvalRun, "models" | "details">): PerLabelRow[] {
  return run.models.flatMap(({ label: model }) => {
    const perLabel = run.details?.[model]?.per_label;
    if (!isRecord(perLabel)) return [];
    return Object.entries(perLabel).flatMap(([label, values]) => {
      if (!isRecord(values)) return [];
      const { precision, recall, f1, support } = values;
      if (![precision, recall, f1, support].every((value) => typeof value === "number")) return [];
      return [{ key: `${model}/${label}`, model, label, precision: precision as number, recall: recall as number,
                f1: f1 as number, support: support as number }];
    });
  });
}

/** Answers of each model that matched no gold label (what a model says instead of an intent). */
export function unknownPredictions(run: Pick<EvalRun, "models" | "details">): { model: string; answers: string[] }[] {
  return run.models.flatMap(({ label: model }) => {
    const answers = run.details?.[model]?.unknown_predictions;
    const texts = Array.isArray(answers) ? answers.filter((text): text is string => typeof text === "string") : [];
    return texts.length > 0 ? [{ model, answers: texts }] : [];
  });
}
