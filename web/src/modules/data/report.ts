/**
 * The quality report (`GET .../report`, written by `src/llmore/datasets/quality.py`) read into
 * what the Quality tab draws. The reader is lenient: a field the report lacks is simply not
 * drawn, and histograms, percentiles and count tables are found by their shape wherever they
 * sit, so a report that grows new sections still shows them.
 */

export type Severity = "high" | "medium" | "low" | "info";

export interface Problem {
  code: string;
  title: string;
  /** The title in Chinese, when the report gives one (else the same as `title`). */
  titleZh: string;
  severity: Severity;
  count: number | null;
  examples: string[];
  adviceEn: string;
  adviceZh: string;
}

export interface Histogram {
  /** Where it sits in the report, e.g. `lengths.prompt`. */
  path: string;
  labels: string[];
  counts: number[];
  percentiles: { name: string; value: number }[];
}

export interface Share {
  name: string;
  value: number;
}

export interface ReportView {
  score: number | null;
  rowCount: number | null;
  problems: Problem[];
  histograms: Histogram[];
  languages: Share[];
  labels: Share[];
  pii: Share[];
  duplicates: { exact: number | null; near: number | null };
  leakage: number | null;
  /** Rows with an empty field, and the count per field. */
  emptyRows: number | null;
  emptyFields: Share[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}

function first(object: Json, names: readonly string[]): unknown {
  for (const name of names) if (object[name] !== undefined) return object[name];
  return undefined;
}

const SEVERITIES: Record<string, Severity> = {
  critical: "high", error: "high", high: "high", major: "high",
  warning: "medium", warn: "medium", medium: "medium", moderate: "medium",
  low: "low", minor: "low", info: "info", notice: "info",
};

export function severityOf(value: unknown): Severity {
  return SEVERITIES[str(value).toLowerCase()] ?? "medium";
}

const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };

function problemOf(value: unknown): Problem | null {
  if (!isObject(value)) return null;
  const code = str(first(value, ["code", "kind", "id", "name", "check"]));
  const title = str(first(value, ["title_en", "title", "message", "summary", "description"])) || code;
  const examples = first(value, ["example_ids", "examples", "row_ids", "ids"]);
  return {
    code,
    title,
    titleZh: str(value.title_zh) || title,
    severity: severityOf(value.severity ?? value.level),
    count: num(first(value, ["rows", "count", "affected"])),
    examples: Array.isArray(examples) ? examples.slice(0, 10).map((item) => (isObject(item) ? str(item._id ?? item.id) : str(item))) : [],
    adviceEn: str(first(value, ["advice_en", "advice"])),
    adviceZh: str(first(value, ["advice_zh", "advice"])),
  };
}

/** A `{name: count}` object or a `[{name|language|label|kind, count|value}]` list as shares. */
export function sharesOf(value: unknown): Share[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (!isObject(item)) return [];
      const name = str(first(item, ["name", "language", "lang", "label", "kind", "key", "field"]));
      const count = num(first(item, ["count", "value", "rows", "n"]));
      return name && count !== null ? [{ name, value: count }] : [];
    });
  }
  if (isObject(value)) {
    // `{counts: {...}}` or `{by_kind: {...}}` wrappers.
    const inner = first(value, ["counts", "hits", "by_kind", "by_language", "by_label", "by_field", "distribution"]);
    if (inner !== undefined) return sharesOf(inner);
    return Object.entries(value).flatMap(([name, count]) => {
      const n = num(count) ?? (isObject(count) ? num(first(count, ["count", "rows", "n"])) : null);
      return n !== null ? [{ name, value: n }] : [];
    });
  }
  return [];
}

function edgeLabel(value: unknown): string {
  const n = num(value);
  return n === null ? str(value) : Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** A histogram in one of the shapes reports use, or null. */
export function histogramOf(value: unknown, path: string): Histogram | null {
  if (!isObject(value)) return null;
  // `{histogram: [{low, high, count}], p50, ...}`: the bins as a list under `histogram`.
  const source: Json = Array.isArray(value.histogram) ? { bins: value.histogram }
    : isObject(value.histogram) ? value.histogram : value;
  let labels: string[] = [];
  let counts: number[] = [];
  const rawCounts = source.counts;
  const edges = first(source, ["edges", "bin_edges", "bins"]);
  if (Array.isArray(rawCounts) && rawCounts.every((c) => typeof c === "number")) {
    counts = rawCounts as number[];
    if (Array.isArray(edges) && edges.length === counts.length + 1) {
      labels = counts.map((_, i) => `${edgeLabel(edges[i])}–${edgeLabel(edges[i + 1])}`);
    } else if (Array.isArray(edges) && edges.length === counts.length) {
      labels = edges.map(edgeLabel);
    } else {
      labels = counts.map((_, i) => String(i));
    }
  } else if (Array.isArray(source.bins) && source.bins.every(isObject)) {
    const bins = source.bins as Json[];
    counts = bins.map((bin) => num(first(bin, ["count", "n", "value"])) ?? 0);
    labels = bins.map((bin) => {
      const low = first(bin, ["low", "start", "lo", "min", "from"]);
      const high = first(bin, ["high", "end", "hi", "max", "to"]);
      return low !== undefined && high !== undefined ? `${edgeLabel(low)}–${edgeLabel(high)}` : str(bin.label);
    });
  } else {
    return null;
  }
  const percentiles: { name: string; value: number }[] = [];
  const rawPercentiles = first(value, ["percentiles", "quantiles"]);
  const candidates: Json = isObject(rawPercentiles) ? rawPercentiles : value;
  for (const [name, item] of Object.entries(candidates)) {
    const n = num(item);
    if (n !== null && /^(p\d+|\d+|min|max|mean|median|avg)$/i.test(name)) percentiles.push({ name, value: n });
  }
  return { path, labels, counts, percentiles };
}

function findHistograms(value: unknown, path: string, depth: number, out: Histogram[]): void {
  if (depth > 4 || !isObject(value)) return;
  const histogram = path ? histogramOf(value, path) : null;
  if (histogram) {
    out.push(histogram);
    return;
  }
  for (const [key, item] of Object.entries(value)) findHistograms(item, path ? `${path}.${key}` : key, depth + 1, out);
}

function section(report: Json, pattern: RegExp): unknown {
  const key = Object.keys(report).find((name) => pattern.test(name));
  return key === undefined ? undefined : report[key];
}

/** A count, or the `rows` (else `count`, `groups`...) of a section; rows are what a user weighs. */
function countOf(value: unknown): number | null {
  if (num(value) !== null) return num(value);
  if (isObject(value)) return num(first(value, ["rows", "count", "groups", "total", "n"]));
  if (Array.isArray(value)) return value.length;
  return null;
}

export function readReport(raw: unknown): ReportView {
  const report: Json = isObject(raw) ? raw : {};
  const score = num(first(report, ["score", "overall_score", "quality_score"]))
    ?? (isObject(report.score) ? num(report.score.value ?? report.score.overall) : null);
  const rawProblems = first(report, ["problems", "issues", "top_problems", "findings"]);
  const problems = (Array.isArray(rawProblems) ? rawProblems : [])
    .map(problemOf).filter((p): p is Problem => p !== null)
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (b.count ?? 0) - (a.count ?? 0));
  const histograms: Histogram[] = [];
  findHistograms(report, "", 0, histograms);
  const duplicates = report.duplicates;
  const dupObject: Json = isObject(duplicates) ? duplicates : {};
  const empty = section(report, /^empt/i);
  return {
    score,
    rowCount: num(first(report, ["row_count", "rows", "total_rows", "n_rows"])),
    problems,
    histograms,
    languages: sharesOf(section(report, /^lang/i)),
    labels: sharesOf(section(report, /^label/i)),
    pii: sharesOf(section(report, /pii/i)),
    duplicates: {
      exact: countOf(report.exact_duplicates ?? first(dupObject, ["exact", "exact_rows"])),
      near: countOf(report.near_duplicates ?? first(dupObject, ["near", "near_rows"])),
    },
    leakage: countOf(section(report, /leak/i)),
    emptyRows: countOf(empty),
    emptyFields: sharesOf(empty),
  };
}
