import { describe, expect, it } from "vitest";

import { addRule, type CatalogItem, moveRule, removeRule, rulesBody, updateRuleValues } from "./ruleList";

const catalog: CatalogItem[] = [
  { name: "strip_html", description: "Remove HTML tags.", params_schema: { type: "object", properties: {} } },
  { name: "dedup_exact", description: "Drop exact duplicates.", params_schema: {
    type: "object", properties: { rule: { const: "dedup_exact" }, keep: { enum: ["first", "last"], default: "first" } },
  } },
  { name: "length", description: "Keep rows by length.", params_schema: {
    type: "object", required: ["min"],
    properties: { min: { type: "integer" }, max: { anyOf: [{ type: "integer" }, { type: "null" }], default: null } },
  } },
];
const [stripHtml, dedup, length] = catalog as [CatalogItem, CatalogItem, CatalogItem];

describe("rule list editing", () => {
  it("adds rules with their defaults, each with its own key (a rule may appear twice)", () => {
    let list = addRule([], stripHtml);
    list = addRule(list, dedup);
    list = addRule(list, stripHtml);
    expect(list.map((item) => item.name)).toEqual(["strip_html", "dedup_exact", "strip_html"]);
    expect(new Set(list.map((item) => item.key)).size).toBe(3);
    expect(list[1]?.values).toEqual({ keep: "first" });
  });

  it("moves rules up and down, and not past either end", () => {
    const list = addRule(addRule(addRule([], stripHtml), dedup), length);
    const [a, b, c] = list.map((item) => item.key) as [string, string, string];
    expect(moveRule(list, c, -1).map((item) => item.key)).toEqual([a, c, b]);
    expect(moveRule(list, a, 1).map((item) => item.key)).toEqual([b, a, c]);
    expect(moveRule(list, a, -1).map((item) => item.key)).toEqual([a, b, c]);
    expect(moveRule(list, c, 1).map((item) => item.key)).toEqual([a, b, c]);
  });

  it("removes one rule and edits one rule's values without touching the others", () => {
    const list = addRule(addRule([], dedup), dedup);
    const [first, second] = list as [typeof list[number], typeof list[number]];
    const edited = updateRuleValues(list, second.key, { keep: "last" });
    expect(edited[0]?.values).toEqual({ keep: "first" });
    expect(edited[1]?.values).toEqual({ keep: "last" });
    expect(removeRule(edited, first.key).map((item) => item.key)).toEqual([second.key]);
  });
});

describe("rulesBody", () => {
  it("builds the request list in order, named by the discriminator key", () => {
    let list = addRule(addRule([], stripHtml), dedup);
    list = addRule(list, length);
    list = updateRuleValues(list, list[2]?.key ?? "", { min: 5 });
    expect(rulesBody(list, catalog)).toEqual({ ok: true, items: [
      { rule: "strip_html" }, { rule: "dedup_exact", keep: "first" }, { rule: "length", min: 5 },
    ] });
    expect(rulesBody(list.slice(0, 1), catalog, "method")).toEqual({ ok: true, items: [{ method: "strip_html" }] });
  });

  it("names the first rule that cannot be sent", () => {
    const list = addRule(addRule([], stripHtml), length);
    expect(rulesBody(list, catalog)).toMatchObject({ ok: false, index: 1, name: "length", field: "min" });
  });
});
