import { describe, expect, it } from "vitest";

import { perLabelRows, unknownPredictions } from "./perLabel";

const models = [
  { label: "tiny:1", model_id: 1, version_number: 1, kind: "base" },
  { label: "tiny-sft:1", model_id: 2, version_number: 1, kind: "adapter" },
];

describe("perLabelRows", () => {
  it("gives one row per model and gold label, in the run's model order", () => {
    const rows = perLabelRows({ models, details: {
      "tiny-sft:1": { per_label: { refund: { precision: 1, recall: 0.5, f1: 0.667, support: 2 } } },
      "tiny:1": { per_label: { track: { precision: 0, recall: 0, f1: 0, support: 3 },
                               refund: { precision: 0.5, recall: 1, f1: 0.667, support: 2 } } },
    } });
    expect(rows.map((row) => row.key)).toEqual(["tiny:1/track", "tiny:1/refund", "tiny-sft:1/refund"]);
    expect(rows[2]).toEqual({ key: "tiny-sft:1/refund", model: "tiny-sft:1", label: "refund", precision: 1,
                              recall: 0.5, f1: 0.667, support: 2 });
  });

  it("is empty for a run without classification details and skips malformed labels", () => {
    expect(perLabelRows({ models, details: {} })).toEqual([]);
    expect(perLabelRows({ models, details: { "tiny:1": { per_label: { a: { f1: "high" }, b: 3 } } } })).toEqual([]);
  });
});

describe("unknownPredictions", () => {
  it("lists each model's answers that matched no label", () => {
    expect(unknownPredictions({ models, details: { "tiny:1": { unknown_predictions: ["maybe", 4] },
                                                   "tiny-sft:1": { unknown_predictions: [] } } }))
      .toEqual([{ model: "tiny:1", answers: ["maybe"] }]);
  });
});
