import { describe, expect, it } from "vitest";

import en from "./locales/en";
import zh from "./locales/zh";

type Catalogue = { [key: string]: string | Catalogue };

function flatten(catalogue: Catalogue, prefix = ""): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [key, value] of Object.entries(catalogue)) {
    if (typeof value === "string") entries.set(prefix + key, value);
    else for (const [inner, text] of flatten(value, `${prefix}${key}.`)) entries.set(inner, text);
  }
  return entries;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1] ?? "").sort();
}

const english = flatten(en);
const chinese = flatten(zh);

describe("i18n catalogues", () => {
  it("have the same keys in English and Chinese", () => {
    expect([...chinese.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it("have no empty strings", () => {
    for (const [key, text] of [...english, ...chinese]) expect(text.trim(), key).not.toBe("");
  });

  it("use the same placeholders in both languages", () => {
    for (const [key, text] of english) expect(placeholders(chinese.get(key) ?? ""), key).toEqual(placeholders(text));
  });

  it("really translate: no English sentence is copied into the Chinese catalogue", () => {
    // Names like "LLMore" or "ID" may stay; words (four or more lowercase letters) may not.
    const untranslated = [...chinese].filter(([key, text]) => text === english.get(key) && /[a-z]{4,}/.test(text));
    expect(untranslated.map(([key]) => key)).toEqual([]);
  });
});
