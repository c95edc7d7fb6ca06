import { describe, expect, it } from "vitest";

import { allowedMoves, evaluationReturn } from "./lifecycle";
import type { Lifecycle, ModelState, ModelTransition } from "./types";

// What GET /api/models/lifecycle answers (llmore.models.lifecycle.ALLOWED).
const RULES: Lifecycle = {
  states: ["registered", "training", "trained", "evaluating", "evaluated", "approved", "rejected", "deployed", "retired"],
  allowed: {
    registered: ["training", "evaluating", "approved", "rejected", "deployed", "retired"],
    training: ["trained", "retired"],
    trained: ["evaluating", "approved", "rejected", "deployed", "retired"],
    evaluating: ["registered", "trained", "evaluated", "retired"],
    evaluated: ["evaluating", "approved", "rejected", "deployed", "retired"],
    approved: ["evaluating", "rejected", "deployed", "retired"],
    rejected: ["evaluating", "deployed", "retired"],
    deployed: ["approved", "retired"],
    retired: [],
  },
  require_approval_to_deploy: true,
};

let nextId = 1;
function entry(from: ModelState | null, to: ModelState): ModelTransition {
  nextId += 1;
  return { id: nextId, version_id: 1, from_state: from, to_state: to, reason: "", forced: false,
           created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", created_by: null, version: 1 };
}

describe("allowedMoves", () => {
  it("offers only approved versions for deployment while approval is required", () => {
    expect(allowedMoves("trained", RULES, [])).toEqual(["evaluating", "approved", "rejected", "retired"]);
    expect(allowedMoves("approved", RULES, [])).toEqual(["evaluating", "rejected", "deployed", "retired"]);
    expect(allowedMoves("rejected", RULES, [])).toEqual(["evaluating", "retired"]);
  });

  it("offers deployment from the table's states when approval is not required", () => {
    const relaxed = { ...RULES, require_approval_to_deploy: false };
    expect(allowedMoves("trained", relaxed, [])).toContain("deployed");
    expect(allowedMoves("rejected", relaxed, [])).toEqual(["evaluating", "deployed", "retired"]);
  });

  it("lets an abandoned evaluation return only to the state it started from", () => {
    const fromTrained = [entry(null, "training"), entry("training", "trained"), entry("trained", "evaluating")];
    expect(allowedMoves("evaluating", RULES, fromTrained)).toEqual(["trained", "evaluated", "retired"]);
    const fromRegistered = [entry(null, "registered"), entry("registered", "evaluating")];
    expect(allowedMoves("evaluating", RULES, fromRegistered)).toEqual(["registered", "evaluated", "retired"]);
    // Without a known start, neither return is offered (the server would refuse both).
    expect(allowedMoves("evaluating", RULES, [])).toEqual(["evaluated", "retired"]);
  });

  it("offers nothing once retired, and never the current state", () => {
    expect(allowedMoves("retired", RULES, [])).toEqual([]);
    for (const state of RULES.states) expect(allowedMoves(state, RULES, [])).not.toContain(state);
  });
});

describe("evaluationReturn", () => {
  it("takes the latest evaluation's starting state", () => {
    const history = [entry(null, "registered"), entry("registered", "evaluating"), entry("evaluating", "evaluated"),
                     entry("evaluated", "approved"), entry("approved", "evaluating")];
    expect(evaluationReturn(history)).toBe("approved");
    expect(evaluationReturn([entry(null, "registered")])).toBeNull();
  });
});
