/** Small formatting helpers of the data pages: diffs, sizes, counts. */

export interface VersionDiff {
  added?: number;
  removed?: number;
  changed?: number;
}

/** A diff as "+12 −3 ~5" (zero parts left out; "±0" when nothing changed). */
export function formatDiff(diff: VersionDiff | Record<string, number> | null | undefined): string {
  if (!diff) return "";
  const parts: string[] = [];
  const added = diff.added ?? 0;
  const removed = diff.removed ?? 0;
  const changed = diff.changed ?? 0;
  if (added) parts.push(`+${added.toLocaleString("en-US")}`);
  if (removed) parts.push(`−${removed.toLocaleString("en-US")}`);
  if (changed) parts.push(`~${changed.toLocaleString("en-US")}`);
  return parts.length > 0 ? parts.join(" ") : "±0";
}

/** Bytes in binary units: "512 B", "1.5 KiB", "3.2 MiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** A count with thousands separators. */
export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "—" : value.toLocaleString("en-US");
}

/** Ratio 0..1 as a percentage with one decimal at most. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "—";
  return `${Math.round(ratio * 1000) / 10}%`;
}

/** Split fractions as "80 / 10 / 10". */
export function formatSplits(splits: Record<string, number> | null | undefined): string {
  if (!splits) return "";
  return ["train", "dev", "test"].map((name) => formatCount(splits[name] ?? 0)).join(" / ");
}
