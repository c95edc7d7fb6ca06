/**
 * The new-run form's values and the request they make. The form mirrors the request's shape
 * (`task.dataset_id`, `suite.per_dimension` …) so the server's field errors land on the fields
 * that caused them; switches decide whether the task and the suite parts are sent at all.
 */
import type { ChineseTokenization, Dimension, EvalRunRequest } from "./types";
import { DIMENSIONS } from "./types";

export interface RunFormValues {
  name?: string;
  models: string[];
  baseline?: string;
  withTask: boolean;
  withSuite: boolean;
  task: {
    dataset_id?: number;
    number?: number;
    /** "" lets the server choose (its "test" split when there is one, else every row). */
    split: string;
    prompt_template?: string;
    metrics: string[];
    limit?: number | null;
    chinese: ChineseTokenization;
  };
  suite: {
    dimensions: Dimension[];
    per_dimension: number;
    seed: number;
    judge_model?: string;
    benchmark_files: string[];
  };
  generation: { max_new_tokens: number; temperature: number; top_p?: number | null };
}

export const RUN_FORM_DEFAULTS: RunFormValues = {
  models: [],
  withTask: true,
  withSuite: true,
  task: { split: "", metrics: [], chinese: "jieba" },
  suite: { dimensions: [...DIMENSIONS], per_dimension: 10, seed: 0, benchmark_files: [] },
  generation: { max_new_tokens: 128, temperature: 0 },
};

/**
 * The form's fields, as the server names them in errors. A detail on a whole part (`task`: "give
 * task or suite") names no field and shows above the form.
 */
export const RUN_FORM_FIELDS = [
  "name", "models", "baseline", "task.dataset_id", "task.number", "task.split", "task.prompt_template", "task.metrics",
  "task.limit", "task.chinese", "suite.dimensions", "suite.per_dimension", "suite.seed", "suite.judge_model",
  "suite.benchmark_files", "generation.max_new_tokens", "generation.temperature", "generation.top_p",
] as const;

const blankToNull = (text: string | undefined): string | null => (text?.trim() ? text.trim() : null);

/**
 * The request body. Empty choices are left to the server's defaults (metrics chosen from the data,
 * the baseline from the adapters' base) rather than sent empty, which the server would refuse.
 */
export function buildRunRequest(values: RunFormValues): EvalRunRequest {
  const { task, suite } = values;
  return {
    name: blankToNull(values.name),
    models: values.models,
    baseline: values.baseline || null,
    task: values.withTask ? {
      dataset_id: task.dataset_id!, number: task.number!,
      split: task.split || null,
      prompt_template: blankToNull(task.prompt_template),
      metrics: task.metrics.length > 0 ? task.metrics : null,
      limit: task.limit ?? null,
      chinese: task.chinese,
    } : null,
    suite: values.withSuite ? {
      dimensions: suite.dimensions, per_dimension: suite.per_dimension, seed: suite.seed,
      judge_model: blankToNull(suite.judge_model),
      benchmark_files: suite.benchmark_files.map((path) => path.trim()).filter((path) => path !== ""),
    } : null,
    generation: { ...values.generation, top_p: values.generation.top_p ?? null },
  };
}
