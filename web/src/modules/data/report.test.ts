import { describe, expect, it } from "vitest";

import { readCleanPreview } from "./cleanPreview";
import { histogramOf, readReport, severityOf, sharesOf } from "./report";

describe("readReport", () => {
  const report = {
    score: 72.5,
    row_count: 7,
    duplicates: { exact: { count: 1, examples: [["r1", "r5"]] }, near: { count: 2 } },
    lengths: {
      prompt: { histogram: { edges: [0, 10, 20, 30], counts: [3, 2, 2] }, percentiles: { p50: 9, p90: 24.5 } },
      answer: { bins: [{ start: 0, end: 50, count: 6 }, { start: 50, end: 100, count: 1 }] },
    },
    languages: { zh: 5, en: 2 },
    labels: null,
    pii: { by_kind: { email: 1, phone: 0 } },
    leakage: { count: 0 },
    problems: [
      { code: "html", severity: "warning", count: 2, example_ids: ["r2", "r4"], title: "HTML in text",
        advice_en: "Add strip_html.", advice_zh: "添加 strip_html 规则。" },
      { code: "exact_duplicates", severity: "error", count: 1, example_ids: ["r5"], title: "Exact duplicates",
        advice_en: "Add dedup_exact.", advice_zh: "添加 dedup_exact 规则。" },
    ],
  };
  const view = readReport(report);

  it("reads the score, the row count and the duplicate counts", () => {
    expect(view.score).toBe(72.5);
    expect(view.rowCount).toBe(7);
    expect(view.duplicates).toEqual({ exact: 1, near: 2 });
    expect(view.leakage).toBe(0);
  });

  it("sorts problems by severity, with advice in both languages", () => {
    expect(view.problems.map((p) => [p.code, p.severity])).toEqual([["exact_duplicates", "high"], ["html", "medium"]]);
    expect(view.problems[1]).toMatchObject({ examples: ["r2", "r4"], adviceEn: "Add strip_html.", adviceZh: "添加 strip_html 规则。" });
  });

  it("finds histograms wherever they sit, with their percentiles", () => {
    expect(view.histograms.map((h) => h.path)).toEqual(["lengths.prompt", "lengths.answer"]);
    expect(view.histograms[0]).toMatchObject({ labels: ["0–10", "10–20", "20–30"], counts: [3, 2, 2],
                                               percentiles: [{ name: "p50", value: 9 }, { name: "p90", value: 24.5 }] });
    expect(view.histograms[1]).toMatchObject({ labels: ["0–50", "50–100"], counts: [6, 1] });
  });

  it("reads count tables in object and list shapes", () => {
    expect(view.languages).toEqual([{ name: "zh", value: 5 }, { name: "en", value: 2 }]);
    expect(view.labels).toEqual([]);
    expect(view.pii).toEqual([{ name: "email", value: 1 }, { name: "phone", value: 0 }]);
    expect(sharesOf([{ label: "refund", count: 3 }, { label: "other" }])).toEqual([{ name: "refund", value: 3 }]);
  });

  it("survives an empty or odd report", () => {
    expect(readReport(null)).toMatchObject({ score: null, problems: [], histograms: [] });
    expect(histogramOf({ counts: "x" }, "a")).toBeNull();
    expect(severityOf("critical")).toBe("high");
    expect(severityOf(undefined)).toBe("medium");
  });
});

describe("readReport on the server's report (quality.py)", () => {
  const report = {
    data_schema: "chat", rows: 7, import_errors: 0, malformed_rows: 0, score: 87,
    problems: [{ code: "exact_duplicates", severity: "high", rows: 1, share: 0.1429, penalty: 12.68, examples: ["5"],
                 title_en: "Exact duplicates", title_zh: "完全重复", advice_en: "Remove them.", advice_zh: "请删除。" }],
    empty: { rows: 0, by_field: {}, examples: [] },
    exact_duplicates: { groups: 1, rows: 1, examples: [{ size: 2, row_ids: ["1", "5"], preview: "…" }] },
    near_duplicates: { threshold: 0.8, groups: 0, rows: 0, examples: [] },
    lengths: {
      chars: {
        prompt: { count: 7, mean: 17.9, p50: 10, p90: 56, p99: 56, max: 56,
                  histogram: [{ low: 0, high: 1, count: 0 }, { low: 1, high: 16, count: 4 }, { low: 16, high: 32, count: 3 }] },
        answer: { count: 7, mean: 19.1, p50: 26, histogram: [{ low: 1, high: 16, count: 2 }, { low: 16, high: 32, count: 5 }] },
      },
      tokens: null, tokenizer: null,
    },
    languages: [{ language: "zh", rows: 6, share: 0.8571 }, { language: "en", rows: 1, share: 0.1429 }],
    labels: null,
    pii: { rows: 2, hits: { email: 1, phone: 2 }, rows_by_kind: { email: 1, phone: 1 }, examples: [] },
    leakage: null,
  };
  const view = readReport(report);

  it("reads the counts", () => {
    expect(view).toMatchObject({ score: 87, rowCount: 7, duplicates: { exact: 1, near: 0 }, leakage: null, emptyRows: 0 });
  });

  it("reads problems with both titles", () => {
    expect(view.problems).toEqual([{ code: "exact_duplicates", title: "Exact duplicates", titleZh: "完全重复", severity: "high",
                                     count: 1, examples: ["5"], adviceEn: "Remove them.", adviceZh: "请删除。" }]);
  });

  it("reads length histograms given as bin lists, with their percentiles", () => {
    expect(view.histograms.map((h) => h.path)).toEqual(["lengths.chars.prompt", "lengths.chars.answer"]);
    expect(view.histograms[0]).toMatchObject({ labels: ["0–1", "1–16", "16–32"], counts: [0, 4, 3] });
    expect(view.histograms[0]?.percentiles.map((p) => p.name)).toEqual(["mean", "p50", "p90", "p99", "max"]);
  });

  it("reads languages and PII hits", () => {
    expect(view.languages).toEqual([{ name: "zh", value: 6 }, { name: "en", value: 1 }]);
    expect(view.pii).toEqual([{ name: "email", value: 1 }, { name: "phone", value: 2 }]);
  });
});

describe("readCleanPreview", () => {
  it("reads per-rule counts and before/after examples", () => {
    const preview = readCleanPreview({
      rows: 7, kept: 6,
      rules: [
        { rule: "strip_html", kept: 7, dropped: 0, changed: 2,
          examples: [{ before: { _id: "r2", text: "<b>x</b>" }, after: { _id: "r2", text: "x" } }] },
        { rule: "dedup_exact", kept: 6, dropped: 1, changed: 0, examples: [{ before: { _id: "r5" }, after: null, reason: "same as r1" }] },
      ],
    });
    expect(preview.rules).toEqual([
      { name: "strip_html", kept: 7, dropped: 0, changed: 2 }, { name: "dedup_exact", kept: 6, dropped: 1, changed: 0 },
    ]);
    expect(preview.examples.map((e) => [e.rule, e.id, e.after === null, e.reason])).toEqual([
      ["strip_html", "r2", false, ""], ["dedup_exact", "r5", true, "same as r1"],
    ]);
    expect(preview.rows).toBe(7);
  });

  it("reads the server's CleaningPreview (field examples, dropped rows without an after)", () => {
    const preview = readCleanPreview({
      input_rows: 7, output_rows: 6, dropped: 1, limit: 200,
      rules: [
        { index: 0, rule: "strip_html", seen: 7, dropped: 0, emptied: 0, changed: 2, errors: 0,
          examples: [{ row_id: "r2", field: "messages.1.content", before: "<b>x</b>", after: "x", note: null }] },
        { index: 1, rule: "dedup_exact", seen: 7, dropped: 1, emptied: 0, changed: 0, errors: 0,
          examples: [{ row_id: "r5", field: null, before: "same", after: null, note: "duplicate of r1" }] },
      ],
    });
    expect(preview.rules).toEqual([
      { name: "strip_html", kept: 7, dropped: 0, changed: 2 }, { name: "dedup_exact", kept: 6, dropped: 1, changed: 0 },
    ]);
    expect(preview.examples[0]).toMatchObject({ id: "r2", field: "messages.1.content", before: "<b>x</b>", after: "x" });
    expect(preview.examples[1]).toMatchObject({ id: "r5", field: "", after: null, reason: "duplicate of r1" });
    expect([preview.rows, preview.kept]).toEqual([7, 6]);
  });

  it("accepts counts keyed by rule name", () => {
    expect(readCleanPreview({ per_rule: { strip_html: { changed: 1 } } }).rules)
      .toEqual([{ name: "strip_html", kept: null, dropped: null, changed: 1 }]);
  });
});
