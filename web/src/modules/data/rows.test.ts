import { describe, expect, it } from "vitest";

import { rowSummary, rowView } from "./rows";

describe("rowView", () => {
  it("reads chat rows as turns", () => {
    const row = { _id: "r1", messages: [{ role: "user", content: "你好" }, { role: "assistant", content: "您好！" }] };
    expect(rowView(row, "chat")).toEqual({
      id: "r1", body: { kind: "chat", messages: [{ role: "user", content: "你好" }, { role: "assistant", content: "您好！" }] },
    });
  });

  it("shows non-text content (tool calls, parts) as JSON instead of crashing", () => {
    const row = { _id: "r2", messages: [{ role: "assistant", tool_calls: [{ id: "c1" }] }, { role: "user", content: [{ type: "text" }] }] };
    const view = rowView(row, "chat");
    expect(view.body).toEqual({ kind: "chat", messages: [
      { role: "assistant", content: '[{"id":"c1"}]' }, { role: "user", content: '[{"type":"text"}]' },
    ] });
  });

  it("reads preference pairs, prompt/answer, text and classification rows, with the split", () => {
    const turns = (text: string) => [{ role: "assistant", content: text }];
    expect(rowView({ _id: "p", prompt: [{ role: "user", content: "q" }], chosen: turns("good"), rejected: turns("bad") },
                   "preference").body).toEqual({
      kind: "preference", prompt: [{ role: "user", content: "q" }], chosen: turns("good"), rejected: turns("bad"),
    });
    expect(rowView({ _id: "a", prompt: "2+2?", answer: "4", _split: "test" }, "prompt_answer"))
      .toEqual({ id: "a", split: "test", body: { kind: "prompt_answer", prompt: "2+2?", answer: "4" } });
    expect(rowView({ _id: "t", text: "plain" }, "text").body).toEqual({ kind: "text", text: "plain" });
    expect(rowView({ _id: "c", text: "退款", label: 3 }, "classification").body)
      .toEqual({ kind: "classification", text: "退款", label: "3" });
  });

  it("falls back to JSON (without bookkeeping keys) when a row does not fit its schema", () => {
    const view = rowView({ _id: "x", _split: "train", question: "?" }, "prompt_answer");
    expect(view.body).toEqual({ kind: "raw", json: JSON.stringify({ question: "?" }, null, 2) });
  });
});

describe("rowSummary", () => {
  it("is one short line per row", () => {
    expect(rowSummary({ prompt: "2+2?", answer: "4" }, "prompt_answer")).toBe("2+2? → 4");
    expect(rowSummary({ text: "hi", label: "greet" }, "classification")).toBe("[greet] hi");
    expect(rowSummary({ text: "x".repeat(300) }, "text", 10)).toBe(`${"x".repeat(9)}…`);
  });
});
