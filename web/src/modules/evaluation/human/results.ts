/** How the results page words numbers: means, agreement and how much to trust it. */

export type Reliability = "good" | "tentative" | "poor";

/** Krippendorff's own thresholds: α ≥ 0.8 reliable, ≥ 0.667 enough for tentative conclusions. */
export function reliability(alpha: number | null | undefined): Reliability | undefined {
  if (alpha === null || alpha === undefined) return undefined;
  if (alpha >= 0.8) return "good";
  return alpha >= 0.667 ? "tentative" : "poor";
}

/** A mean or statistic with `digits` decimals; null when it could not be computed. */
export function formatValue(value: number | null | undefined, digits = 2): string | null {
  return value === null || value === undefined ? null : value.toFixed(digits);
}
