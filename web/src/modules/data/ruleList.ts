/**
 * The list a rule builder edits: cleaning rules or augmentation methods, in the order they
 * apply, each with its parameters. Pure functions, so the editing is tested without a browser.
 */
import { initialValues, paramsFromValues, schemaFields } from "./schemaForm";

export interface CatalogItem {
  name: string;
  description: string;
  params_schema: Record<string, unknown>;
}

export interface RuleItem {
  /** Stable key for React while rules move around (a rule may be added twice). */
  key: string;
  name: string;
  /** The form's values (as the inputs hold them, e.g. JSON fields as text). */
  values: Record<string, unknown>;
}

let counter = 0;
function nextKey(): string {
  counter += 1;
  return `rule-${counter}`;
}

/** Add a rule from the catalogue at the end, its inputs filled with the defaults. */
export function addRule(list: readonly RuleItem[], entry: CatalogItem): RuleItem[] {
  return [...list, { key: nextKey(), name: entry.name, values: initialValues(schemaFields(entry.params_schema)) }];
}

export function removeRule(list: readonly RuleItem[], key: string): RuleItem[] {
  return list.filter((item) => item.key !== key);
}

/** Move a rule up (`delta` −1) or down (+1); moving past either end changes nothing. */
export function moveRule(list: readonly RuleItem[], key: string, delta: number): RuleItem[] {
  const from = list.findIndex((item) => item.key === key);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= list.length) return [...list];
  const next = [...list];
  const [moved] = next.splice(from, 1);
  if (moved) next.splice(to, 0, moved);
  return next;
}

export function updateRuleValues(list: readonly RuleItem[], key: string, values: Record<string, unknown>): RuleItem[] {
  return list.map((item) => (item.key === key ? { ...item, values: { ...item.values, ...values } } : item));
}

export type RulesBody = { ok: true; items: Record<string, unknown>[] }
  | { ok: false; index: number; name: string; field: string; message: string };

/**
 * The request's list: `{<nameKey>: name, ...params}` per rule (`{"rule": "length", "min": 5}`),
 * or the first rule whose inputs cannot be sent.
 */
export function rulesBody(list: readonly RuleItem[], catalog: readonly CatalogItem[], nameKey = "rule"): RulesBody {
  const items: Record<string, unknown>[] = [];
  for (const [index, item] of list.entries()) {
    const entry = catalog.find((candidate) => candidate.name === item.name);
    const fields = schemaFields(entry?.params_schema ?? {});
    const result = paramsFromValues(fields, item.values);
    if (!result.ok) return { ok: false, index, name: item.name, field: result.field, message: result.message };
    items.push({ [nameKey]: item.name, ...result.params });
  }
  return { ok: true, items };
}
