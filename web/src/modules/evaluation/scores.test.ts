import { describe, expect, it } from "vitest";

import {
  bestPerColumn, comparisonRows, deltasFromBaseline, formatDelta, formatScore, headlineColumns, runRows, scoreColumns,
} from "./scores";

const run = {
  id: 7,
  name: "sft vs base",
  models: [
    { label: "tiny:1", model_id: 1, version_number: 1, kind: "base" },
    { label: "tiny-sft:1", model_id: 2, version_number: 1, kind: "adapter" },
  ],
  summary: {
    "tiny:1": { accuracy: 0.5, ter: 0.8, suite_overall: 40 },
    "tiny-sft:1": { accuracy: 0.75, ter: 0.6, suite_overall: 38 },
  },
  dimensions: {
    "tiny:1": { reasoning: 50, creativity: 30, chinese: 40 },
    "tiny-sft:1": { reasoning: 50, creativity: 20, chinese: 44 },
  },
  config: { task: { metrics: ["ter", "accuracy"] }, suite: {} },
};

describe("runRows and scoreColumns", () => {
  it("gives one row per model in the run's order, metrics first and dimensions in radar order", () => {
    const rows = runRows(run);
    expect(rows.map((row) => row.key)).toEqual(["tiny:1", "tiny-sft:1"]);
    expect(rows[1]!.values).toEqual({ accuracy: 0.75, ter: 0.6, suite_overall: 38, reasoning: 50, creativity: 20,
                                      chinese: 44 });
    expect(scoreColumns(rows)).toEqual(["accuracy", "ter", "suite_overall", "reasoning", "chinese", "creativity"]);
  });

  it("keys compared rows by run and model, so the same model in two runs stays apart", () => {
    const rows = comparisonRows({ columns: ["f1"], rows: [
      { run_id: 1, run_name: "a", label: "m:1", values: { f1: 0.5 } },
      { run_id: 2, run_name: "b", label: "m:1", values: { f1: 0.6 } },
    ] });
    expect(rows.map((row) => row.key)).toEqual(["1/m:1", "2/m:1"]);
    expect(rows[1]).toMatchObject({ runId: 2, runName: "b", label: "m:1" });
  });
});

describe("bestPerColumn", () => {
  it("marks the highest score and the lowest TER", () => {
    const rows = runRows(run);
    const best = bestPerColumn(rows, scoreColumns(rows));
    expect([...best.accuracy!]).toEqual(["tiny-sft:1"]);
    expect([...best.ter!]).toEqual(["tiny-sft:1"]);
    expect([...best.creativity!]).toEqual(["tiny:1"]);
    expect(best.reasoning).toBeUndefined(); // 50 and 50: nothing stands out
  });

  it("lets a tie at the top share the mark", () => {
    const rows = comparisonRows({ columns: ["f1"], rows: [
      { run_id: 1, run_name: "a", label: "m:1", values: { f1: 0.6 } },
      { run_id: 1, run_name: "a", label: "m:2", values: { f1: 0.4 } },
      { run_id: 2, run_name: "b", label: "m:1", values: { f1: 0.6 } },
    ] });
    expect([...bestPerColumn(rows, ["f1"]).f1!]).toEqual(["1/m:1", "2/m:1"]);
  });

  it("marks nothing where fewer than two rows have the column or all score the same", () => {
    const rows = runRows({ ...run, summary: { "tiny:1": { bleu_4: 0.2, f1: 0 }, "tiny-sft:1": { f1: 0 } },
                           dimensions: {} });
    expect(bestPerColumn(rows, ["bleu_4", "f1"])).toEqual({});
  });
});

describe("deltasFromBaseline", () => {
  it("gives each other row its change per column, a lower TER counting as better", () => {
    const rows = runRows(run);
    const deltas = deltasFromBaseline(rows, "tiny:1", ["accuracy", "ter", "creativity", "reasoning"]);
    expect(Object.keys(deltas)).toEqual(["tiny-sft:1"]);
    expect(deltas["tiny-sft:1"]!.accuracy).toEqual({ value: 0.25, better: true });
    expect(deltas["tiny-sft:1"]!.ter!.better).toBe(true);
    expect(deltas["tiny-sft:1"]!.ter!.value).toBeCloseTo(-0.2);
    expect(deltas["tiny-sft:1"]!.creativity).toEqual({ value: -10, better: false });
    expect(deltas["tiny-sft:1"]!.reasoning).toEqual({ value: 0, better: false });
  });

  it("has no deltas without a baseline row", () => {
    expect(deltasFromBaseline(runRows(run), "other:3", ["accuracy"])).toEqual({});
    expect(deltasFromBaseline(runRows(run), null, ["accuracy"])).toEqual({});
  });
});

describe("formatting", () => {
  it("shows dimensions with one decimal, fractions with three, and signed deltas", () => {
    expect(formatScore("reasoning", 66.666)).toBe("66.7");
    expect(formatScore("f1", 0.81234)).toBe("0.812");
    expect(formatScore("f1", undefined)).toBe("—");
    expect(formatDelta("creativity", -10)).toBe("−10.0");
    expect(formatDelta("accuracy", 0.25)).toBe("+0.250");
    expect(formatDelta("accuracy", 0.00001)).toBe("±0.000");
  });
});

describe("headlineColumns", () => {
  it("takes the first metric the run asked for, then the suite's overall score", () => {
    expect(headlineColumns(run)).toEqual(["ter", "suite_overall"]);
  });

  it("falls back to the first reported metric, and shows only what the run has", () => {
    expect(headlineColumns({ config: { task: {} }, summary: { a: { rouge_l: 0.3, bleu_4: 0.1 } } })).toEqual(["bleu_4"]);
    expect(headlineColumns({ config: { suite: {} }, summary: { a: { suite_overall: 51 } } })).toEqual(["suite_overall"]);
    expect(headlineColumns({ config: {}, summary: {} })).toEqual([]);
  });
});
