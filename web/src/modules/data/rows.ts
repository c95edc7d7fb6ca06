/**
 * Canonical rows (see `src/llmore/datasets/canonical.py`) as something readable: chat turns,
 * preference pairs, prompt and answer, text, text with its label. A row that does not match
 * its schema (it should not happen, but a page must not crash on it) is shown as JSON.
 */
import type { DataSchema } from "../../api/types";

export interface Message {
  role: string;
  content: string;
}

export type RowBody =
  | { kind: "chat"; messages: Message[]; tools?: unknown }
  | { kind: "preference"; prompt: Message[]; chosen: Message[]; rejected: Message[] }
  | { kind: "prompt_answer"; prompt: string; answer: string }
  | { kind: "text"; text: string }
  | { kind: "classification"; text: string; label: string }
  | { kind: "raw"; json: string };

export interface RowView {
  id: string;
  split?: string;
  body: RowBody;
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  return JSON.stringify(value);
}

function messages(value: unknown): Message[] | null {
  if (typeof value === "string") return [{ role: "user", content: value }]; // a bare prompt
  if (!Array.isArray(value)) return null;
  return value.map((item: unknown) => {
    const message = typeof item === "object" && item !== null ? (item as Record<string, unknown>) : {};
    const content = message.content ?? (message.tool_calls !== undefined ? message.tool_calls : "");
    return { role: text(message.role) || "user", content: text(content) };
  });
}

function raw(row: Record<string, unknown>): RowBody {
  const visible = Object.fromEntries(Object.entries(row).filter(([key]) => !key.startsWith("_")));
  return { kind: "raw", json: JSON.stringify(visible, null, 2) };
}

/** The body of a row in its schema's shape. */
export function rowBody(row: Record<string, unknown>, schema: DataSchema): RowBody {
  switch (schema) {
    case "chat": {
      const turns = messages(row.messages);
      if (!turns) return raw(row);
      return row.tools === undefined ? { kind: "chat", messages: turns } : { kind: "chat", messages: turns, tools: row.tools };
    }
    case "preference": {
      const prompt = messages(row.prompt);
      const chosen = messages(row.chosen);
      const rejected = messages(row.rejected);
      if (!prompt || !chosen || !rejected) return raw(row);
      return { kind: "preference", prompt, chosen, rejected };
    }
    case "prompt_answer":
      if (row.prompt === undefined || row.answer === undefined) return raw(row);
      return { kind: "prompt_answer", prompt: text(row.prompt), answer: text(row.answer) };
    case "text":
      if (row.text === undefined) return raw(row);
      return { kind: "text", text: text(row.text) };
    case "classification":
      if (row.text === undefined || row.label === undefined) return raw(row);
      return { kind: "classification", text: text(row.text), label: text(row.label) };
    default:
      return raw(row);
  }
}

export function rowView(row: Record<string, unknown>, schema: DataSchema): RowView {
  const view: RowView = { id: text(row._id), body: rowBody(row, schema) };
  if (typeof row._split === "string") view.split = row._split;
  return view;
}

/** One line of a row for tables and examples (the first text of it, shortened). */
export function rowSummary(row: Record<string, unknown>, schema: DataSchema, max = 120): string {
  const body = rowBody(row, schema);
  let summary: string;
  switch (body.kind) {
    case "chat": summary = body.messages.map((m) => m.content).join(" │ "); break;
    case "preference": summary = body.prompt.map((m) => m.content).join(" │ "); break;
    case "prompt_answer": summary = `${body.prompt} → ${body.answer}`; break;
    case "text": summary = body.text; break;
    case "classification": summary = `[${body.label}] ${body.text}`; break;
    default: summary = body.json.replace(/\s+/g, " ");
  }
  return summary.length > max ? `${summary.slice(0, max - 1)}…` : summary;
}
