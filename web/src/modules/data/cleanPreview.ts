/**
 * The answer of `POST .../clean/preview` (`CleaningPreview` in `src/llmore/datasets/cleaning.py`:
 * `{input_rows, output_rows, dropped, limit, rules: [{index, rule, seen, dropped, changed,
 * examples: [{row_id, field, before, after, note}]}]}`) read into per-rule counts and
 * before/after examples. Lenient: other shapes of the same facts read too.
 */

export interface RuleCounts {
  name: string;
  kept: number | null;
  dropped: number | null;
  changed: number | null;
}

export interface CleanExample {
  rule: string;
  id: string;
  /** The changed text field (`messages.1.content`), when the example is one field. */
  field: string;
  before: unknown;
  /** null when the rule dropped the row. */
  after: unknown;
  reason: string;
}

export interface CleanPreview {
  rules: RuleCounts[];
  examples: CleanExample[];
  rows: number | null;
  kept: number | null;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function pick(object: Json, names: readonly string[]): unknown {
  for (const name of names) if (object[name] !== undefined) return object[name];
  return undefined;
}

function examplesOf(value: unknown, rule: string): CleanExample[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((item) => {
    const before = pick(item, ["before", "original", "old"]);
    const after = pick(item, ["after", "cleaned", "new"]);
    const id = pick(item, ["row_id", "_id", "id"]) ?? (isObject(before) ? before._id : undefined);
    const field = pick(item, ["field"]);
    const dropped = item.dropped === true || item.action === "drop" || item.action === "dropped"
      || (after === null && "after" in item);
    return {
      rule: String(pick(item, ["rule", "name"]) ?? rule),
      id: id === undefined ? "" : String(id),
      field: typeof field === "string" ? field : "",
      before,
      after: dropped ? null : after ?? null,
      reason: String(pick(item, ["note", "reason", "message"]) ?? ""),
    };
  });
}

function countsOf(name: string, item: Json): RuleCounts {
  const dropped = num(pick(item, ["dropped", "removed", "rows_dropped", "drop"]));
  const seen = num(item.seen);
  return {
    name,
    kept: num(pick(item, ["kept", "rows_kept", "keep"])) ?? (seen !== null ? seen - (dropped ?? 0) : null),
    dropped,
    changed: num(pick(item, ["changed", "modified", "rows_changed"])),
  };
}

export function readCleanPreview(raw: unknown): CleanPreview {
  const data: Json = isObject(raw) ? raw : {};
  const rules: RuleCounts[] = [];
  const examples: CleanExample[] = [];
  const perRule = pick(data, ["rules", "per_rule", "steps", "statistics", "stats"]);
  if (Array.isArray(perRule)) {
    perRule.filter(isObject).forEach((item, index) => {
      const name = String(pick(item, ["rule", "name"]) ?? `#${index + 1}`);
      rules.push(countsOf(name, item));
      examples.push(...examplesOf(item.examples, name));
    });
  } else if (isObject(perRule)) {
    for (const [name, item] of Object.entries(perRule)) {
      if (!isObject(item)) continue;
      rules.push(countsOf(name, item));
      examples.push(...examplesOf(item.examples, name));
    }
  }
  examples.push(...examplesOf(data.examples, ""));
  return {
    rules,
    examples,
    rows: num(pick(data, ["input_rows", "rows", "scanned", "total"])),
    kept: num(pick(data, ["output_rows", "kept", "rows_kept"])),
  };
}
