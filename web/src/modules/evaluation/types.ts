/** Readable names for the evaluation API's schema types, and the suite's dimensions in radar order. */
import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type EvalRun = Schemas["EvalRunOut"];
export type EvalModel = Schemas["RunModel"];
export type EvalRecord = Schemas["EvalRecordOut"];
export type RecordPage = Schemas["RecordsPage"];
export type CompareRow = Schemas["CompareRow"];
export type Comparison = Schemas["CompareOut"];
export type EvalRunRequest = Schemas["EvalRunRequest"];
export type ChineseTokenization = NonNullable<NonNullable<EvalRunRequest["task"]>["chinese"]>;

export type Dimension = NonNullable<NonNullable<EvalRunRequest["suite"]>["dimensions"]>[number];

// Object keys, so a dimension added on the server fails the build until the console draws it.
const dimensionOrder: { [D in Dimension]: true } = {
  reasoning: true, reading: true, chinese: true, instruction: true, creativity: true,
};

/** The general suite's five dimensions, in the order the radar chart goes round. */
export const DIMENSIONS = Object.keys(dimensionOrder) as Dimension[];

/**
 * Task metrics the form offers: the metrics library's names (`llmore.evaluation.metrics.METRIC_NAMES`),
 * which the server checks again and answers an unknown one with the known list.
 */
export const TASK_METRICS = [
  "exact_match", "accuracy", "precision", "recall", "f1", "bleu_1", "bleu_2", "bleu_3", "bleu_4", "rouge_1", "rouge_2",
  "rouge_l", "meteor", "ter", "chrf", "embedding_similarity",
] as const;

/** The splits a task may use (the server's pattern). */
export const TASK_SPLITS = ["test", "dev", "train"] as const;
