/**
 * The per-example browser's filters: read from and written to the page's URL (so a filtered view
 * can be linked), turned into the records route's query, and the choices the filter selects offer.
 */
import type { EvalRecord, EvalRun } from "./types";

export interface RecordFilters {
  model?: string;
  source?: string;
  dimension?: string;
  q?: string;
  /** The score `maxScore` applies to; records lacking it are not kept by the threshold. */
  score?: string;
  /** Keep records scoring at most this (the failures worth reading). */
  maxScore?: number;
}

/** URL parameters of the browser, prefixed so they cannot clash with the page's own. */
const PARAMS = { model: "r_model", source: "r_source", dimension: "r_dimension", q: "r_q", score: "r_score",
                 maxScore: "r_max" } as const;

/** The filters in the URL; a threshold that is not a number is ignored. */
export function filtersFromSearch(search: URLSearchParams): RecordFilters {
  const text = (key: keyof typeof PARAMS) => search.get(PARAMS[key])?.trim() || undefined;
  const max = text("maxScore");
  const maxScore = max === undefined ? undefined : Number(max);
  return { model: text("model"), source: text("source"), dimension: text("dimension"), q: text("q"),
           score: text("score"), maxScore: maxScore !== undefined && Number.isFinite(maxScore) ? maxScore : undefined };
}

/** The URL parameters of `filters` (empty ones removed), keeping every other parameter of `search`. */
export function searchWithFilters(search: URLSearchParams, filters: RecordFilters): URLSearchParams {
  const next = new URLSearchParams(search);
  for (const [key, param] of Object.entries(PARAMS) as [keyof RecordFilters, string][]) {
    const value = filters[key];
    if (value === undefined || value === "") next.delete(param);
    else next.set(param, String(value));
  }
  return next;
}

/** The filters as the records and export routes read them (empty ones left out). */
export function filterQuery(filters: RecordFilters): Record<string, string | number> {
  const query: Record<string, string | number> = {};
  if (filters.model) query.model = filters.model;
  if (filters.source) query.source = filters.source;
  if (filters.dimension) query.dimension = filters.dimension;
  if (filters.q) query.q = filters.q;
  // A threshold needs the score it applies to; one without the other would filter nothing the user sees.
  if (filters.score && filters.maxScore !== undefined) {
    query.score = filters.score;
    query.max_score = filters.maxScore;
  }
  return query;
}

/** The query of `GET /api/evaluation/runs/{id}/records` for one page of the filtered records. */
export function recordsQuery(filters: RecordFilters, page: number, pageSize: number): Record<string, string | number> {
  return { ...filterQuery(filters), offset: (page - 1) * pageSize, limit: pageSize };
}

/** Where a run's records came from: the task, the suite, and each benchmark file (`benchmark:<file stem>`). */
export function recordSources(run: Pick<EvalRun, "config">): string[] {
  const sources: string[] = [];
  const { task, suite } = run.config as { task?: unknown; suite?: { benchmark_files?: unknown } | null };
  if (task) sources.push("task");
  if (suite) {
    sources.push("suite");
    const files = Array.isArray(suite.benchmark_files) ? suite.benchmark_files : [];
    for (const file of files) {
      if (typeof file !== "string") continue;
      const stem = file.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, "");
      sources.push(`benchmark:${stem}`);
    }
  }
  return [...new Set(sources)];
}

/** Score names seen on the shown records, plus the one filtered on (it may match none of them). */
export function scoreNames(records: readonly Pick<EvalRecord, "scores">[], chosen?: string): string[] {
  const names = new Set(records.flatMap((record) => Object.keys(record.scores)));
  if (chosen) names.add(chosen);
  return [...names].sort();
}

/** The record's prompt as one text: the user turns joined (a system turn shown first, labelled). */
export function promptText(input: EvalRecord["input"]): string {
  return input.map((turn) => (turn.role === "user" ? turn.content : `[${turn.role}] ${turn.content}`)).join("\n\n");
}
