/**
 * Which lifecycle moves the version page offers: exactly those the server would accept without
 * force (`GET /api/models/lifecycle` gives the table, so the rules live in one place, the server's
 * `llmore.models.lifecycle`). The two refinements of `refusal()` are repeated here: deploying
 * needs `approved` while approval is required, and an abandoned evaluation returns only to the
 * state the version had when the evaluation started.
 */
import type { Lifecycle, ModelState, ModelTransition } from "./types";

/** The state a version had when its latest evaluation started (from its history, oldest first). */
export function evaluationReturn(history: readonly ModelTransition[]): ModelState | null {
  const started = [...history].reverse().find((entry) => entry.to_state === "evaluating");
  return started?.from_state ?? null;
}

/** The states a version in `state` may move to now, in lifecycle order. */
export function allowedMoves(state: ModelState, rules: Lifecycle, history: readonly ModelTransition[]): ModelState[] {
  const allowed = rules.allowed[state] ?? [];
  const returnsTo = state === "evaluating" ? evaluationReturn(history) : null;
  return rules.states.filter((target) => {
    if (!allowed.includes(target)) return false;
    if (target === "deployed" && rules.require_approval_to_deploy && state !== "approved") return false;
    if (state === "evaluating" && (target === "registered" || target === "trained")) return target === returnsTo;
    return true;
  });
}

/** Moves that need a confirmation first: they end the version's use. */
export const DESTRUCTIVE_MOVES: ReadonlySet<ModelState> = new Set<ModelState>(["retired", "rejected"]);
