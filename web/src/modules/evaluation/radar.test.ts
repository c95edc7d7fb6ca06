import { describe, expect, it } from "vitest";

import { radarDimensions, radarOption } from "./radar";
import type { ScoreRow } from "./scores";

const row = (key: string, values: Record<string, number>): ScoreRow => ({ key, label: key, runId: 1, runName: "r", values });

const base = row("tiny:1", { accuracy: 0.5, reasoning: 60, reading: 70, chinese: 40, instruction: 50, creativity: 30 });
const tuned = row("tiny-sft:1", { accuracy: 0.8, reasoning: 55, reading: 72, chinese: 20, instruction: 50,
                                  creativity: 35 });
const taskOnly = row("other:2", { accuracy: 0.9 });

describe("radarOption", () => {
  it("draws one polygon per model that ran the suite, axes 0-100 in the suite's order, the base dashed", () => {
    const option = radarOption({ rows: [base, tuned, taskOnly], name: (r) => r.label, axis: (d) => d.toUpperCase(),
                                 baselineKey: "tiny:1" })!;
    expect(option.radar).toMatchObject({
      indicator: ["REASONING", "READING", "CHINESE", "INSTRUCTION", "CREATIVITY"].map((name) => ({ name, min: 0,
                                                                                                   max: 100 })),
    });
    expect(option.legend).toMatchObject({ data: ["tiny:1", "tiny-sft:1"] });
    const series = option.series as { type: string; data: { name: string; value: number[]; lineStyle: { type: string } }[] }[];
    expect(series).toHaveLength(1);
    expect(series[0]!.type).toBe("radar");
    expect(series[0]!.data.map((item) => [item.name, item.value, item.lineStyle.type])).toEqual([
      ["tiny:1", [60, 70, 40, 50, 30], "dashed"],
      ["tiny-sft:1", [55, 72, 20, 50, 35], "solid"],
    ]);
  });

  it("keeps only the dimensions that were scored, and a missing one at the centre", () => {
    const partial = row("p:1", { reasoning: 10, chinese: 20, creativity: 30 });
    const other = row("q:1", { reasoning: 40, chinese: 50, instruction: 60 });
    expect(radarDimensions([partial, other])).toEqual(["reasoning", "chinese", "instruction", "creativity"]);
    const option = radarOption({ rows: [partial, other], name: (r) => r.key, axis: (d) => d })!;
    const series = option.series as { data: { value: number[] }[] }[];
    expect(series[0]!.data.map((item) => item.value)).toEqual([[10, 20, 0, 30], [40, 50, 60, 0]]);
  });

  it("has nothing to draw with fewer than three dimensions or no suite at all", () => {
    expect(radarOption({ rows: [taskOnly], name: (r) => r.key, axis: (d) => d })).toBeNull();
    expect(radarOption({ rows: [row("a:1", { reasoning: 1, reading: 2 })], name: (r) => r.key, axis: (d) => d }))
      .toBeNull();
  });
});
