/**
 * Deploy gate rules in the console: the editor's rows and the API's rule objects converted both
 * ways, each rule and each judged result in words of the reader's language, and which runs and
 * versions a gate check can use. Pure, so it is unit-tested.
 */
import type { TFunction } from "i18next";

import type { EvalRun } from "../types";
import type { GateRule, RuleResult } from "./types";

export type RuleKind = "metric" | "dimension" | "drop";

/** One row of the rules editor; which fields count depends on `kind`. */
export interface RuleRow {
  kind: RuleKind;
  /** The metric (kind metric) or dimension (kind dimension). */
  name?: string;
  min?: number | null;
  max?: number | null;
  /** Points below the baseline allowed (kind drop). */
  drop?: number | null;
  /** Only these dimensions (kind drop); empty means all of them. */
  dimensions?: string[];
}

/** Names offered for metric rules besides the task metrics: the suite's overall score and the merged human score. */
export const SUMMARY_SCORES = ["suite_overall", "human_overall"] as const;

export function rowsFromRules(rules: readonly GateRule[]): RuleRow[] {
  return rules.map((rule): RuleRow => {
    if ("metric" in rule) return { kind: "metric", name: rule.metric, min: rule.min ?? null, max: rule.max ?? null };
    if ("dimension" in rule) return { kind: "dimension", name: rule.dimension, min: rule.min };
    return { kind: "drop", drop: rule.max_dimension_drop, dimensions: rule.dimensions ?? [] };
  });
}

/** Whether a number field of the editor was filled in. */
export const given = (value: number | null | undefined): value is number => value !== null && value !== undefined;

/** The rules the API stores for the editor's rows; bounds left empty are left out. */
export function rulesFromRows(rows: readonly RuleRow[]): GateRule[] {
  return rows.map((row): GateRule => {
    if (row.kind === "metric") {
      return { metric: (row.name ?? "").trim(), ...(given(row.min) ? { min: row.min } : {}),
               ...(given(row.max) ? { max: row.max } : {}) };
    }
    if (row.kind === "dimension") return { dimension: row.name ?? "", min: row.min ?? 0 };
    return { max_dimension_drop: row.drop ?? 0, ...(row.dimensions?.length ? { dimensions: row.dimensions } : {}) };
  });
}

/** A score as the reports show it: four significant digits, no trailing zeros. */
export function formatValue(value: number): string {
  return String(Number(value.toPrecision(4)));
}

/** The rule in words, e.g. "f1_macro ≥ 0.8" or "no dimension more than 5 points below the baseline". */
export function ruleText(rule: GateRule, t: TFunction, scoreName: (name: string) => string): string {
  if ("metric" in rule) {
    const name = scoreName(rule.metric);
    if (given(rule.min) && given(rule.max)) {
      return t("gate.rule.between", { name, min: formatValue(rule.min), max: formatValue(rule.max) });
    }
    return given(rule.min) ? t("gate.rule.atLeast", { name, value: formatValue(rule.min) })
      : t("gate.rule.atMost", { name, value: formatValue(rule.max ?? 0) });
  }
  if ("dimension" in rule) return t("gate.rule.atLeast", { name: scoreName(rule.dimension), value: formatValue(rule.min) });
  const points = formatValue(rule.max_dimension_drop);
  return rule.dimensions?.length
    ? t("gate.rule.dropOf", { names: rule.dimensions.map(scoreName).join(", "), points })
    : t("gate.rule.drop", { points });
}

/** Why a result passed or failed, in the reader's language (the server's message is English). */
export function resultText(result: RuleResult, t: TFunction, scoreName: (name: string) => string): string {
  const name = scoreName(result.subject);
  const value = formatValue(result.value);
  const threshold = formatValue(result.threshold);
  if (result.kind === "dimension_drop") {
    const baseline = result.baseline ?? result.threshold;
    const change = result.value - baseline;
    return t(result.passed ? "gate.result.dropOk" : "gate.result.dropFailed", {
      name, value, baseline: formatValue(baseline), change: `${change >= 0 ? "+" : ""}${formatValue(change)}`,
      allowed: formatValue(baseline - result.threshold),
    });
  }
  if (result.passed) return t(result.op === ">=" ? "gate.result.atLeast" : "gate.result.atMost", { name, value, threshold });
  return t(result.op === ">=" ? "gate.result.below" : "gate.result.above", { name, value, threshold });
}

/** How many of a report's results passed and failed. */
export function tally(results: readonly RuleResult[]): { passed: number; failed: number } {
  const passed = results.filter((result) => result.passed).length;
  return { passed, failed: results.length - passed };
}

/** Runs a version of the model can be checked against: finished, and evaluating some version of it. */
export function checkableRuns(runs: readonly EvalRun[], modelId: number): EvalRun[] {
  return runs.filter((run) => run.state === "succeeded" && run.models.some((model) => model.model_id === modelId));
}

/** The model's versions a run evaluated, as `{label, number}`, in the run's order. */
export function versionsInRun(run: Pick<EvalRun, "models"> | undefined, modelId: number
                              ): { label: string; number: number }[] {
  return (run?.models ?? []).filter((model) => model.model_id === modelId)
    .map((model) => ({ label: model.label, number: model.version_number }));
}
