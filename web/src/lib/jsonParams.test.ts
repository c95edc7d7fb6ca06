import { describe, expect, it } from "vitest";

import { defaultParams, jsonErrorPosition, parseJsonObject, validateParams } from "./jsonParams";

// The schema pydantic writes for demo.gradient_descent's parameters.
const schema = {
  additionalProperties: false,
  properties: {
    steps: { default: 20, maximum: 100000, minimum: 1, type: "integer" },
    step_seconds: { default: 0.5, maximum: 60, minimum: 0, type: "number" },
    learning_rate: { default: 0.1, exclusiveMinimum: 0, maximum: 2, type: "number" },
    fail_at_step: { anyOf: [{ minimum: 1, type: "integer" }, { type: "null" }], default: null },
    mode: { enum: ["fast", "slow"], type: "string" },
  },
  required: ["steps"],
  type: "object",
};

describe("parseJsonObject", () => {
  it("parses an object; empty text is {}", () => {
    expect(parseJsonObject('{"steps": 3}')).toEqual({ ok: true, value: { steps: 3 } });
    expect(parseJsonObject("  ")).toEqual({ ok: true, value: {} });
  });

  it("says where the syntax breaks", () => {
    const result = parseJsonObject('{\n  "steps": 3,\n  "lr": }');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues[0]?.key).toBe("invalidJson");
      expect(result.issues[0]?.values?.line).toBe(3);
    }
  });

  it("refuses non-objects", () => {
    expect(parseJsonObject("[1, 2]")).toEqual({ ok: false, issues: [{ key: "notObject" }] });
    expect(parseJsonObject("7")).toEqual({ ok: false, issues: [{ key: "notObject" }] });
  });
});

describe("validateParams", () => {
  const keys = (value: Record<string, never> | object) =>
    validateParams(value as never, schema).map((issue) => `${issue.key}:${issue.field ?? ""}`);

  it("accepts valid parameters", () => {
    expect(keys({ steps: 5, step_seconds: 0, learning_rate: 0.5, fail_at_step: null, mode: "fast" })).toEqual([]);
    expect(keys({ steps: 5, fail_at_step: 3 })).toEqual([]);
  });

  it("finds missing, unknown, mistyped and out-of-range values", () => {
    expect(keys({})).toEqual(["required:steps"]);
    expect(keys({ steps: 5, stepz: 1 })).toEqual(["unknownField:stepz"]);
    expect(keys({ steps: 2.5 })).toEqual(["type:steps"]);
    expect(keys({ steps: "5" })).toEqual(["type:steps"]);
    expect(keys({ steps: 0 })).toEqual(["min:steps"]);
    expect(keys({ steps: 5, learning_rate: 0 })).toEqual(["min:learning_rate"]);
    expect(keys({ steps: 5, learning_rate: 3 })).toEqual(["max:learning_rate"]);
    expect(keys({ steps: 5, mode: "medium" })).toEqual(["enum:mode"]);
  });

  it("reports the matching branch of an optional value", () => {
    expect(keys({ steps: 5, fail_at_step: 0 })).toEqual(["min:fail_at_step"]);
    expect(keys({ steps: 5, fail_at_step: "x" })).toEqual(["type:fail_at_step"]);
  });

  it("accepts anything against a missing schema", () => {
    expect(validateParams({ anything: 1 }, undefined)).toEqual([]);
  });
});

describe("defaultParams", () => {
  it("collects the defaults", () => {
    expect(defaultParams(schema)).toEqual({ steps: 20, step_seconds: 0.5, learning_rate: 0.1, fail_at_step: null });
  });
});

describe("jsonErrorPosition", () => {
  it.each([
    ['{"a": }', 6],
    ['{"a": 1,}', 8],
    ["{'a': 1}", 1],
    ['{"a": tru}', 9],
    ['{"a": 1} x', 9],
    ['[1, 2', 5],
    ['{"a": "\\q"}', 8],
    ['{"a": -}', 6],
  ])("%s breaks at %i", (text, position) => {
    expect(jsonErrorPosition(text)).toBe(position);
  });

  it("finds nothing wrong in valid JSON", () => {
    expect(jsonErrorPosition('{"a": [1, -2.5e3, true, null, "x\\u00e9"], "b": {}}')).toBe(-1);
  });
});
