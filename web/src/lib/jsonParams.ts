/**
 * Job parameters typed as JSON in a text box: parse them, and check them against the kind's
 * JSON Schema (as pydantic writes it) before sending, so typos are caught where they are typed.
 * The server validates again; this is the fast first line, covering the subset of JSON Schema
 * that parameter models use: type, required, properties, additionalProperties: false,
 * minimum/maximum (exclusive too), enum, and anyOf (pydantic's `X | None`).
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A problem found in the parameters; `key` is an i18n key under `jobs.paramsIssues`. */
export interface ParamsIssue {
  key: "invalidJson" | "notObject" | "unknownField" | "required" | "type" | "min" | "max" | "enum";
  field?: string;
  values?: Record<string, string | number>;
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: JsonValue[];
  anyOf?: JsonSchema[];
  default?: JsonValue;
}

export type ParseResult = { ok: true; value: { [key: string]: JsonValue } } | { ok: false; issues: ParamsIssue[] };

/** Line and column (1-based) of a character position in `text`. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  return { line, column: position - before.lastIndexOf("\n") };
}

/**
 * Where JSON syntax first breaks: a small scanner run only after `JSON.parse` failed, because
 * engines disagree on (and recent V8 omits) the position in their messages.
 */
export function jsonErrorPosition(text: string): number {
  let at = 0;
  const fail = (): never => {
    throw at;
  };
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at] ?? "")) at += 1;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[at] !== char) fail();
      at += 1;
    }
  };
  const string = () => {
    at += 1; // opening quote
    while (at < text.length && text[at] !== '"') {
      const char = text[at] ?? "";
      if (char < " ") fail();
      if (char === "\\") {
        at += 1;
        if (text[at] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail();
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? "x")) fail();
      }
      at += 1;
    }
    if (text[at] !== '"') fail();
    at += 1;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match || match[0] === "" || match[0] === "-") fail();
    at += match?.[0].length ?? 0;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === "{") {
      at += 1;
      space();
      if (text[at] === "}") { at += 1; return; }
      for (;;) {
        space();
        if (text[at] !== '"') fail();
        string();
        space();
        if (text[at] !== ":") fail();
        at += 1;
        value();
        space();
        if (text[at] === ",") { at += 1; continue; }
        if (text[at] === "}") { at += 1; return; }
        fail();
      }
    }
    if (char === "[") {
      at += 1;
      space();
      if (text[at] === "]") { at += 1; return; }
      for (;;) {
        value();
        space();
        if (text[at] === ",") { at += 1; continue; }
        if (text[at] === "]") { at += 1; return; }
        fail();
      }
    }
    if (char === '"') return string();
    if (char === "t") return literal("true");
    if (char === "f") return literal("false");
    if (char === "n") return literal("null");
    return number();
  };
  try {
    value();
    space();
    return at < text.length ? at : -1;
  } catch (position) {
    return typeof position === "number" ? position : 0;
  }
}

/** Parse the text as a JSON object, saying where the syntax breaks if it does. */
export function parseJsonObject(text: string): ParseResult {
  const source = text.trim() === "" ? "{}" : text;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error);
    const where = lineAndColumn(source, Math.max(0, jsonErrorPosition(source)));
    return { ok: false, issues: [{ key: "invalidJson", values: { ...where, message } }] };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, issues: [{ key: "notObject" }] };
  }
  return { ok: true, value: value as { [key: string]: JsonValue } };
}

function asSchema(value: unknown): JsonSchema {
  return typeof value === "object" && value !== null ? (value as JsonSchema) : {};
}

function typeOf(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === "number" && actual === "integer");
}

/** Problems of one value against one (sub)schema; `anyOf` passes when any branch passes. */
function checkValue(value: JsonValue, schema: JsonSchema, field: string): ParamsIssue[] {
  if (schema.anyOf && schema.anyOf.length > 0) {
    const results = schema.anyOf.map((branch) => checkValue(value, branch, field));
    const passing = results.find((issues) => issues.length === 0);
    if (passing) return [];
    // Report the branch of the value's own type (a number against `int | None` says "min", not "type").
    return results.find((issues) => issues.every((issue) => issue.key !== "type")) ?? results[0] ?? [];
  }
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const expected = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!expected.some((type) => typeMatches(type, actual))) {
      return [{ key: "type", field, values: { field, expected: expected.join(" | ") } }];
    }
  }
  if (schema.enum && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    return [{ key: "enum", field, values: { field, options: schema.enum.map((o) => JSON.stringify(o)).join(", ") } }];
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) {
      return [{ key: "min", field, values: { field, limit: schema.minimum, op: "≥" } }];
    }
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) {
      return [{ key: "min", field, values: { field, limit: schema.exclusiveMinimum, op: ">" } }];
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      return [{ key: "max", field, values: { field, limit: schema.maximum, op: "≤" } }];
    }
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) {
      return [{ key: "max", field, values: { field, limit: schema.exclusiveMaximum, op: "<" } }];
    }
  }
  if (actual === "object" && schema.properties) {
    return checkObject(value as { [key: string]: JsonValue }, schema, `${field}.`);
  }
  return [];
}

function checkObject(value: { [key: string]: JsonValue }, schema: JsonSchema, prefix = ""): ParamsIssue[] {
  const properties = schema.properties ?? {};
  const issues: ParamsIssue[] = [];
  for (const name of schema.required ?? []) {
    if (!(name in value)) issues.push({ key: "required", field: prefix + name, values: { field: prefix + name } });
  }
  for (const [name, item] of Object.entries(value)) {
    const propertySchema = properties[name];
    if (propertySchema === undefined) {
      if (schema.additionalProperties === false) {
        issues.push({ key: "unknownField", field: prefix + name, values: { field: prefix + name } });
      }
      continue;
    }
    issues.push(...checkValue(item, asSchema(propertySchema), prefix + name));
  }
  return issues;
}

/** Check parsed parameters against a kind's `params_schema`. */
export function validateParams(value: { [key: string]: JsonValue }, schema: unknown): ParamsIssue[] {
  return checkObject(value, asSchema(schema));
}

/** The schema's defaults as a starting document for the editor. */
export function defaultParams(schema: unknown): { [key: string]: JsonValue } {
  const defaults: { [key: string]: JsonValue } = {};
  for (const [name, property] of Object.entries(asSchema(schema).properties ?? {})) {
    const propertySchema = asSchema(property);
    if ("default" in propertySchema && propertySchema.default !== undefined) defaults[name] = propertySchema.default;
  }
  return defaults;
}
