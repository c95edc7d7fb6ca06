/** Formatting of registry numbers (sizes and counts come from the data module's `format.ts`). */

/** A parameter count as people say it: "135M", "1.5B", "98.3K". */
export function formatParameters(count: number | null | undefined): string {
  if (count === null || count === undefined || !Number.isFinite(count) || count < 0) return "—";
  const units: [number, string][] = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]];
  for (const [size, unit] of units) {
    if (count >= size) {
      const value = count / size;
      return `${value >= 100 ? Math.round(value) : Number(value.toPrecision(3))}${unit}`;
    }
  }
  return String(count);
}

