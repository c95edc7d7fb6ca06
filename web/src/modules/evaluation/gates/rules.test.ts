import i18next, { type TFunction } from "i18next";
import { beforeAll, describe, expect, it } from "vitest";

import en from "../../../i18n/locales/en";
import zh from "../../../i18n/locales/zh";
import type { EvalRun } from "../types";
import {
  checkableRuns, formatValue, resultText, rowsFromRules, ruleText, rulesFromRows, tally, versionsInRun,
} from "./rules";
import type { GateRule, RuleResult } from "./types";

const RULES: GateRule[] = [
  { metric: "f1", min: 0.8 },
  { metric: "ter", max: 0.5 },
  { metric: "bleu_4", min: 0.2, max: 0.9 },
  { dimension: "reasoning", min: 60 },
  { max_dimension_drop: 5 },
  { max_dimension_drop: 2.5, dimensions: ["chinese", "reading"] },
];

let english: TFunction;
let chinese: TFunction;
const plain = (name: string) => name;

beforeAll(async () => {
  const i18n = i18next.createInstance();
  await i18n.init({ resources: { en: { translation: en }, zh: { translation: zh } }, lng: "en",
                    interpolation: { escapeValue: false } });
  english = i18n.getFixedT("en");
  chinese = i18n.getFixedT("zh");
});

function result(overrides: Partial<RuleResult>): RuleResult {
  return { rule: 0, kind: "metric_min", subject: "f1", value: 0.8421, op: ">=", threshold: 0.8, baseline: null,
           passed: true, message: "", ...overrides };
}

describe("editor rows", () => {
  it("round-trip every rule shape", () => {
    expect(rulesFromRows(rowsFromRules(RULES))).toEqual(RULES);
  });

  it("leave out empty bounds and an empty dimension list, and trim metric names", () => {
    expect(rulesFromRows([
      { kind: "metric", name: " accuracy ", min: 0.7, max: null },
      { kind: "drop", drop: 5, dimensions: [] },
    ])).toEqual([{ metric: "accuracy", min: 0.7 }, { max_dimension_drop: 5 }]);
  });
});

describe("rules in words", () => {
  it("describe each shape in English and Chinese", () => {
    expect(RULES.map((rule) => ruleText(rule, english, plain))).toEqual([
      "f1 ≥ 0.8", "ter ≤ 0.5", "0.2 ≤ bleu_4 ≤ 0.9", "reasoning ≥ 60",
      "No dimension more than 5 points below the baseline", "chinese, reading: at most 2.5 points below the baseline",
    ]);
    expect(ruleText(RULES[4]!, chinese, plain)).toBe("任何维度都不得低于基线 5 分以上");
  });

  it("name scores through the given translator", () => {
    expect(ruleText({ dimension: "reasoning", min: 60 }, english, (name) => `<${name}>`)).toBe("<reasoning> ≥ 60");
  });
});

describe("results in words", () => {
  it("say why a bound passed or failed", () => {
    expect(resultText(result({}), english, plain)).toBe("f1 0.8421 ≥ 0.8");
    expect(resultText(result({ value: 0.79, passed: false }), english, plain))
      .toBe("f1 0.79 is below the minimum 0.8");
    expect(resultText(result({ kind: "metric_max", subject: "ter", value: 0.61, op: "<=", threshold: 0.5,
                                passed: false }), english, plain)).toBe("ter 0.61 is above the maximum 0.5");
    expect(resultText(result({ value: 0.79, passed: false }), chinese, plain)).toBe("f1 0.79 低于下限 0.8");
  });

  it("show a dimension's change from the baseline and the allowed drop", () => {
    const dropped = result({ kind: "dimension_drop", subject: "reasoning", value: 52.5, threshold: 60, baseline: 65,
                             passed: false });
    expect(resultText(dropped, english, plain))
      .toBe("reasoning 52.5 is -12.5 points from the baseline's 65; at most 5 below allowed");
    const held = { ...dropped, value: 66, passed: true };
    expect(resultText(held, english, plain))
      .toBe("reasoning 66 vs 65 for the baseline (+1 points; at most 5 below allowed)");
  });

  it("count passes and failures", () => {
    expect(tally([result({}), result({ passed: false }), result({})])).toEqual({ passed: 2, failed: 1 });
  });

  it("round to four significant digits", () => {
    expect(formatValue(0.842123)).toBe("0.8421");
    expect(formatValue(72)).toBe("72");
    expect(formatValue(123.456)).toBe("123.5");
  });
});

describe("what a check can use", () => {
  const run = (id: number, state: string, modelIds: number[]): EvalRun => ({
    id, state, name: `run ${id}`,
    models: modelIds.map((modelId, index) => ({ label: `m${modelId}:${index + 1}`, model_id: modelId,
                                                 version_number: index + 1, kind: "base" })),
  } as EvalRun);

  it("offers finished runs that evaluated the model, and its versions in them", () => {
    const runs = [run(1, "succeeded", [7, 8]), run(2, "running", [8]), run(3, "succeeded", [9]),
                  run(4, "succeeded", [8, 8])];
    expect(checkableRuns(runs, 8).map((r) => r.id)).toEqual([1, 4]);
    expect(versionsInRun(runs[3], 8)).toEqual([{ label: "m8:1", number: 1 }, { label: "m8:2", number: 2 }]);
    expect(versionsInRun(undefined, 8)).toEqual([]);
  });
});
