import { describe, expect, it } from "vitest";

import { formatValue, reliability } from "./results";

describe("results wording", () => {
  it("grades alpha by Krippendorff's thresholds", () => {
    expect([0.95, 0.8, 0.7, 0.667, 0.5, -0.2].map(reliability)).toEqual(
      ["good", "good", "tentative", "tentative", "poor", "poor"]);
    expect(reliability(null)).toBeUndefined();
  });

  it("formats values and leaves undefined ones to the caller", () => {
    expect(formatValue(3.456)).toBe("3.46");
    expect(formatValue(0.5, 3)).toBe("0.500");
    expect(formatValue(null)).toBeNull();
  });
});
