import { describe, expect, it } from "vitest";

import { applyEdit, MAX_STEPS, NO_EDITS, parseEdit, problemsByRow, proposalRows, resetEdit } from "./proposal";
import type { Proposal } from "./types";

const proposal: Proposal = {
  recipe: "sft",
  method: "lora",
  choices: {
    learning_rate: { value: 0.0002, reason: "LoRA trains small adapters" },
    epochs: { value: 5, reason: "48 rows: fewer rows need more passes" },
    weight_decay: { value: 0.0, reason: "adapters start at zero" },
    lr_scheduler: { value: "cosine", reason: "decays smoothly" },
    packing: { value: true, reason: "rows fill 20 % of max_length" },
  },
  estimate: { peak_memory_gb: 1.2, available_memory_gb: 6.5, steps: 15, seconds: 40, trainable_parameters: 4_000_000 },
  problems: [
    { field: "learning_rate", message: "the learning rate must be positive" },
    { field: "dataset", message: "sft needs chat rows" },
  ],
};

describe("proposalRows", () => {
  it("lists every hyper-parameter in the advisor's order, then the step limit", () => {
    const rows = proposalRows(proposal, NO_EDITS);
    expect(rows.map((row) => row.name)).toEqual(["learning_rate", "epochs", "weight_decay", "lr_scheduler", "packing",
                                                 MAX_STEPS]);
    expect(rows[0]).toMatchObject({ value: 0.0002, reason: "LoRA trains small adapters", edited: false });
    expect(rows[5]).toMatchObject({ value: null, edited: false });
  });

  it("marks edited rows and puts each problem on the row it names", () => {
    const edits = applyEdit(applyEdit(NO_EDITS, "learning_rate", -1), MAX_STEPS, 12);
    const rows = proposalRows(proposal, edits);
    expect(rows.find((row) => row.name === "learning_rate")).toMatchObject({
      edited: true, problems: ["the learning rate must be positive"],
    });
    expect(rows.find((row) => row.name === MAX_STEPS)).toMatchObject({ value: 12, edited: true });
    expect(rows.find((row) => row.name === "epochs")?.problems).toEqual([]);
  });
});

describe("parseEdit", () => {
  it("reads numbers, scientific notation included, as numbers", () => {
    expect(parseEdit("learning_rate", "1e-1", 0.0002)).toEqual({ ok: true, value: 0.1 });
    expect(parseEdit("weight_decay", "0.01", 0)).toEqual({ ok: true, value: 0.01 });
  });

  it("refuses text where a number belongs, fractions of counts and empty values", () => {
    expect(parseEdit("learning_rate", "fast", 0.0002)).toEqual({ ok: false, error: "number" });
    expect(parseEdit("epochs", "2.5", 5)).toEqual({ ok: false, error: "integer" });
    expect(parseEdit("epochs", " ", 5)).toEqual({ ok: false, error: "empty" });
    expect(parseEdit(MAX_STEPS, "0", null)).toEqual({ ok: false, error: "positive" });
  });

  it("treats an empty step limit as no limit and a number as the limit", () => {
    expect(parseEdit(MAX_STEPS, "", null)).toEqual({ ok: true, value: null });
    expect(parseEdit(MAX_STEPS, "12", null)).toEqual({ ok: true, value: 12 });
  });

  it("keeps text parameters as trimmed text", () => {
    expect(parseEdit("lr_scheduler", " linear ", "cosine")).toEqual({ ok: true, value: "linear" });
  });
});

describe("applyEdit and resetEdit", () => {
  it("sends hyper-parameters as overrides and the step limit on its own, and undoes either", () => {
    const edited = applyEdit(applyEdit(NO_EDITS, "epochs", 2), MAX_STEPS, 12);
    expect(edited).toEqual({ overrides: { epochs: 2 }, maxSteps: 12 });
    expect(resetEdit(resetEdit(edited, "epochs"), MAX_STEPS)).toEqual(NO_EDITS);
    expect(NO_EDITS).toEqual({ overrides: {}, maxSteps: null }); // never mutated
  });
});

describe("problemsByRow", () => {
  it("strips the body prefix of a refused launch and keeps unknown fields as general problems", () => {
    const { byRow, general } = problemsByRow(
      [{ field: "body.max_length", message: "cuts half the rows" }, { field: "body.recipe", message: "only sft so far" },
       { message: "no field" }],
      ["max_length"],
    );
    expect(byRow).toEqual({ max_length: ["cuts half the rows"] });
    expect(general).toEqual(["recipe: only sft so far", "no field"]);
  });
});
