import { describe, expect, it } from "vitest";

import { emptyRubric, missingCriteria, rubricKey, type RubricState } from "./rubric";

const CRITERIA = [{ name: "helpfulness", scale: 5 }, { name: "correctness", scale: 5 }, { name: "fluency", scale: 3 }];

function press(keys: string[], start: RubricState = emptyRubric()) {
  let state = start;
  let action: string | undefined;
  for (const key of keys) {
    const result = rubricKey(state, CRITERIA, key);
    state = result.state;
    action = result.action ?? action;
  }
  return { state, action };
}

describe("the scoring keyboard", () => {
  it("scores with digits, moving on to the next criterion, and submits with Enter", () => {
    const { state, action } = press(["4", "5", "2", "Enter"]);
    expect(state.scores).toEqual({ helpfulness: 4, correctness: 5, fluency: 2 });
    expect(action).toBe("submit");
  });

  it("ignores a digit beyond the focused criterion's scale", () => {
    const { state } = press(["3", "3", "5"]);
    expect(state.scores).toEqual({ helpfulness: 3, correctness: 3 });
    expect(state.focus).toBe(2);
  });

  it("jumps to the first criterion still missing instead of submitting", () => {
    const { state, action } = press(["ArrowDown", "4", "Enter"]);
    expect(action).toBeUndefined();
    expect(state.focus).toBe(0);
  });

  it("moves with arrows and Tab, and changes the focused score with left and right", () => {
    let state = press(["Tab", "ArrowRight", "ArrowRight", "ArrowLeft"]).state;
    expect(state).toEqual({ focus: 1, scores: { correctness: 1 } });
    state = rubricKey(state, CRITERIA, "Tab", true).state;
    expect(state.focus).toBe(0);
    state = press(["ArrowLeft", "ArrowUp", "ArrowUp"], state).state;
    expect(state).toEqual({ focus: 0, scores: { helpfulness: 5, correctness: 1 } });
    state = press(["ArrowDown", "ArrowDown", "ArrowDown", "ArrowRight", "ArrowRight", "ArrowRight", "ArrowRight"],
                  state).state;
    expect(state.scores.fluency).toBe(3);
  });

  it("skips with S and leaves other keys to the browser", () => {
    expect(press(["s"]).action).toBe("skip");
    expect(rubricKey(emptyRubric(), CRITERIA, "x").handled).toBe(false);
    expect(rubricKey(emptyRubric({ fluency: 2 }), CRITERIA, "0").handled).toBe(false);
  });

  it("lists the criteria still without a score, in rubric order", () => {
    expect(missingCriteria(CRITERIA, { correctness: 4 })).toEqual(["helpfulness", "fluency"]);
    expect(missingCriteria(CRITERIA, { helpfulness: 1, correctness: 2, fluency: 3 })).toEqual([]);
  });
});
