import { describe, expect, it } from "vitest";

import { mergeRunCurves, parseRunIds, type RunCurves } from "./compare";

const runs: RunCurves[] = [
  { id: 3, label: "#3 lr 2e-4", series: { loss: [{ step: 1, value: 2.5 }, { step: 2, value: 2.1 }],
                                          learning_rate: [{ step: 1, value: 0.0002 }] } },
  { id: 5, label: "#5 lr 1e-1", series: { loss: [{ step: 1, value: 2.6 }, { step: 2, value: 9.8 }],
                                          grad_norm: [{ step: 1, value: 40 }] } },
];

describe("mergeRunCurves", () => {
  it("draws one chart per metric with one line per run that reports it", () => {
    const merged = mergeRunCurves(runs, ["loss", "eval_loss", "learning_rate", "grad_norm"], (m) => m.toUpperCase());
    expect(merged.groups).toEqual([
      { title: "LOSS", metrics: ["loss · #3 lr 2e-4", "loss · #5 lr 1e-1"] },
      { title: "LEARNING_RATE", metrics: ["learning_rate · #3 lr 2e-4"] },
      { title: "GRAD_NORM", metrics: ["grad_norm · #5 lr 1e-1"] },
    ]);
    expect(merged.series["loss · #5 lr 1e-1"]).toEqual(runs[1]!.series.loss);
    expect(Object.keys(merged.series)).toHaveLength(4);
  });

  it("has nothing to draw for runs without points", () => {
    expect(mergeRunCurves([{ id: 1, label: "#1", series: { loss: [] } }])).toEqual({ series: {}, groups: [] });
  });
});

describe("parseRunIds", () => {
  it("keeps positive whole ids once, in order", () => {
    expect(parseRunIds("5, 3,x,5,-2,0,7")).toEqual([5, 3, 7]);
    expect(parseRunIds(null)).toEqual([]);
  });
});
