/**
 * The advisor's proposal as an editable table: one row per hyper-parameter (plus the run's step
 * limit), edits parsed into the type of the proposed value, and the server's problems placed on
 * the row they name. Pure logic, so the wizard's behaviour is unit-tested without a browser.
 */
import type { Proposal } from "./types";

export type ParamValue = number | string | boolean | null;

/** The run-level limit shown as the table's last row; it goes to `max_steps`, not to `overrides`. */
export const MAX_STEPS = "max_steps";

// Counts and sizes: a fraction here would crash the trainer, so the console refuses it at once.
const INTEGER_PARAMS: ReadonlySet<string> = new Set([
  "epochs", "max_length", "lora_r", "lora_alpha", "per_device_batch_size", "gradient_accumulation_steps", MAX_STEPS,
]);

/** What the user changed: hyper-parameters that replace the advice, and an optional step limit. */
export interface Edits {
  overrides: Record<string, ParamValue>;
  maxSteps: number | null;
}

export const NO_EDITS: Edits = { overrides: {}, maxSteps: null };

export interface ProposalRow {
  name: string;
  value: ParamValue;
  /** The advisor's one-line reason ("" for the step limit, which the page explains itself). */
  reason: string;
  edited: boolean;
  problems: string[];
}

export type ParsedEdit = { ok: true; value: ParamValue } | { ok: false; error: "number" | "integer" | "positive" | "empty" };

/** Rows in the advisor's order, then the step limit; each with the problems that name it. */
export function proposalRows(proposal: Proposal, edits: Edits): ProposalRow[] {
  const { byRow } = problemsByRow(proposal.problems ?? [], [...Object.keys(proposal.choices), MAX_STEPS]);
  const rows = Object.entries(proposal.choices).map(([name, choice]) => ({
    name,
    value: (choice.value ?? null) as ParamValue,
    reason: choice.reason,
    edited: name in edits.overrides,
    problems: byRow[name] ?? [],
  }));
  rows.push({ name: MAX_STEPS, value: edits.maxSteps, reason: "", edited: edits.maxSteps !== null,
              problems: byRow[MAX_STEPS] ?? [] });
  return rows;
}

/**
 * Read what the user typed as the same type as the proposed value. Numbers accept scientific
 * notation (`1e-4`); counts must be whole; the step limit may be left empty (no limit).
 * Booleans are switches in the table and never typed.
 */
export function parseEdit(name: string, text: string, proposed: ParamValue): ParsedEdit {
  const trimmed = text.trim();
  if (name === MAX_STEPS && trimmed === "") return { ok: true, value: null };
  if (trimmed === "") return { ok: false, error: "empty" };
  if (typeof proposed === "number" || INTEGER_PARAMS.has(name)) {
    const value = Number(trimmed);
    if (!Number.isFinite(value)) return { ok: false, error: "number" };
    if (INTEGER_PARAMS.has(name) && !Number.isInteger(value)) return { ok: false, error: "integer" };
    if (name === MAX_STEPS && value < 1) return { ok: false, error: "positive" };
    return { ok: true, value };
  }
  return { ok: true, value: trimmed };
}

/** The edits with `name` set to `value` (the step limit goes to its own field). */
export function applyEdit(edits: Edits, name: string, value: ParamValue): Edits {
  if (name === MAX_STEPS) return { ...edits, maxSteps: typeof value === "number" ? value : null };
  return { ...edits, overrides: { ...edits.overrides, [name]: value } };
}

/** The edits without the user's value for `name`: the advisor's proposal applies again. */
export function resetEdit(edits: Edits, name: string): Edits {
  if (name === MAX_STEPS) return { ...edits, maxSteps: null };
  const { [name]: _removed, ...overrides } = edits.overrides;
  return { ...edits, overrides };
}

/**
 * Problems on the rows they name; the others (the dataset, the method) are general. Fields may
 * come as the advisor spells them (`learning_rate`) or as a refused launch does (`body.learning_rate`).
 */
export function problemsByRow(problems: readonly { field?: string | null; message?: string | null }[],
                              rowNames: readonly string[]): { byRow: Record<string, string[]>; general: string[] } {
  const known = new Set(rowNames);
  const byRow: Record<string, string[]> = {};
  const general: string[] = [];
  for (const problem of problems) {
    const field = (problem.field ?? "").replace(/^body\./, "");
    const message = problem.message ?? "";
    if (known.has(field)) (byRow[field] ??= []).push(message);
    else general.push(field ? `${field}: ${message}` : message);
  }
  return { byRow, general };
}
