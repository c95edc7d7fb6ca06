import { describe, expect, it } from "vitest";

import { fieldFor, initialValues, paramsFromValues, schemaFields } from "./schemaForm";

// Shaped like pydantic's model_json_schema() of a cleaning rule / augmentation method.
const lengthRule = {
  title: "LengthFilter",
  type: "object",
  additionalProperties: false,
  properties: {
    rule: { const: "length", default: "length", title: "Rule", type: "string" },
    min: { default: 1, minimum: 0, title: "Min", type: "integer", description: "Shortest text kept." },
    max: { anyOf: [{ type: "integer", minimum: 1 }, { type: "null" }], default: null, title: "Max" },
    unit: { enum: ["chars", "tokens"], default: "chars", title: "Unit", type: "string" },
    field: { $ref: "#/$defs/Side", default: "prompt" },
    ratio: { type: "number", exclusiveMinimum: 0, maximum: 0.5, default: 0.1 },
    keep_empty: { type: "boolean", default: false },
    languages: { type: "array", items: { type: "string" }, default: ["zh", "en"] },
    kinds: { type: "array", items: { enum: ["email", "phone", "id_card"] } },
    pattern: { type: "string", title: "Pattern" },
    source: { type: "string", title: "Source" },
    synonyms: { type: "object", additionalProperties: { type: "array", items: { type: "string" } }, default: {} },
    mode: { anyOf: [{ const: "mask" }, { const: "drop" }], default: "mask" },
  },
  required: ["pattern"],
  $defs: { Side: { enum: ["prompt", "answer", "both"], title: "Side", type: "string" } },
};

describe("schemaFields", () => {
  const fields = schemaFields(lengthRule);
  const byName = Object.fromEntries(fields.map((field) => [field.name, field]));

  it("skips the discriminator (the rule's own name)", () => {
    expect(byName.rule).toBeUndefined();
    expect(fields.map((f) => f.name)).toEqual([
      "min", "max", "unit", "field", "ratio", "keep_empty", "languages", "kinds", "pattern", "source", "synonyms", "mode",
    ]);
  });

  it("maps numbers with their bounds, and optional numbers as nullable", () => {
    expect(byName.min).toMatchObject({ kind: "integer", minimum: 0, default: 1, required: false, nullable: false,
                                       description: "Shortest text kept." });
    expect(byName.max).toMatchObject({ kind: "integer", nullable: true, minimum: 1, label: "Max" });
    expect(byName.ratio).toMatchObject({ kind: "number", minimum: 0, maximum: 0.5 });
  });

  it("maps enums, also behind $ref and as a union of consts", () => {
    expect(byName.unit).toMatchObject({ kind: "enum", options: ["chars", "tokens"] });
    expect(byName.field).toMatchObject({ kind: "enum", options: ["prompt", "answer", "both"], default: "prompt" });
    expect(byName.mode).toMatchObject({ kind: "enum", options: ["mask", "drop"] });
  });

  it("maps booleans, string lists, enum lists, code and free JSON", () => {
    expect(byName.keep_empty?.kind).toBe("boolean");
    expect(byName.languages?.kind).toBe("stringList");
    expect(byName.kinds).toMatchObject({ kind: "multiEnum", options: ["email", "phone", "id_card"] });
    expect(byName.pattern).toMatchObject({ kind: "string", required: true });
    expect(byName.source?.kind).toBe("code"); // the python rule's source gets a code editor
    expect(byName.synonyms?.kind).toBe("json");
  });

  it("uses a code editor when the schema says so", () => {
    expect(fieldFor("body", { type: "string", format: "python" }, false).kind).toBe("code");
    expect(fieldFor("body", { type: "string", "x-widget": "code" }, false).kind).toBe("code");
  });

  it("answers no fields for a schema without properties", () => {
    expect(schemaFields({})).toEqual([]);
    expect(schemaFields(null)).toEqual([]);
  });
});

describe("form values ↔ parameters", () => {
  const fields = schemaFields(lengthRule);

  it("starts from the defaults, JSON shown as text", () => {
    const values = initialValues(fields);
    expect(values).toMatchObject({ min: 1, unit: "chars", keep_empty: false, languages: ["zh", "en"], kinds: [],
                                   synonyms: "{}" });
    expect(values.max).toBeUndefined();
  });

  it("leaves empty optional inputs out and parses JSON", () => {
    const values = { ...initialValues(fields), pattern: "^\\s*$", synonyms: '{"大": ["巨大"]}', languages: [" zh ", ""] };
    const result = paramsFromValues(fields, values);
    expect(result).toEqual({ ok: true, params: {
      min: 1, unit: "chars", field: "prompt", ratio: 0.1, keep_empty: false, languages: ["zh"], kinds: [],
      pattern: "^\\s*$", synonyms: { 大: ["巨大"] }, mode: "mask",
    } });
  });

  it("names a missing required input or broken JSON", () => {
    expect(paramsFromValues(fields, initialValues(fields))).toMatchObject({ ok: false, field: "pattern" });
    const broken = { ...initialValues(fields), pattern: "x", synonyms: "{oops" };
    expect(paramsFromValues(fields, broken)).toMatchObject({ ok: false, field: "synonyms" });
  });
});
