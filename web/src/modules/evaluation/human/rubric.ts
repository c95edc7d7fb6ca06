/**
 * The scoring page's keyboard: digits score the focused criterion (and move on to the next),
 * ↑/↓ and Tab/Shift+Tab move between criteria, ←/→ lower or raise the focused score, Enter
 * submits once every criterion has a score (else jumps to the first one missing), S skips.
 */

export interface RubricLine {
  name: string;
  scale: number;
}

export interface RubricState {
  /** Index of the focused criterion. */
  focus: number;
  scores: Record<string, number>;
}

export type RubricAction = "submit" | "skip";

export interface KeyResult {
  state: RubricState;
  action?: RubricAction;
  /** Whether the key meant something here (the page then stops the browser's own handling). */
  handled: boolean;
}

export function emptyRubric(previous: Record<string, number> = {}): RubricState {
  return { focus: 0, scores: { ...previous } };
}

/** Names of the criteria `scores` has no value for, in rubric order. */
export function missingCriteria(criteria: readonly { name: string }[], scores: Record<string, number>): string[] {
  return criteria.filter((criterion) => scores[criterion.name] === undefined).map((criterion) => criterion.name);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function setScore(state: RubricState, criteria: readonly RubricLine[], value: number, advance: boolean): RubricState {
  const criterion = criteria[state.focus];
  if (criterion === undefined) return state;
  const scores = { ...state.scores, [criterion.name]: clamp(value, 1, criterion.scale) };
  return { focus: advance ? Math.min(state.focus + 1, criteria.length - 1) : state.focus, scores };
}

/** What `key` (a KeyboardEvent.key, with Shift held or not) does to the rubric. */
export function rubricKey(state: RubricState, criteria: readonly RubricLine[], key: string, shift = false): KeyResult {
  const last = criteria.length - 1;
  const focused = criteria[state.focus];
  if (/^[1-9]$/.test(key)) {
    const value = Number(key);
    if (focused === undefined || value > focused.scale) return { state, handled: true };
    return { state: setScore(state, criteria, value, true), handled: true };
  }
  switch (key) {
    case "ArrowDown":
      return { state: { ...state, focus: Math.min(state.focus + 1, last) }, handled: true };
    case "ArrowUp":
      return { state: { ...state, focus: Math.max(state.focus - 1, 0) }, handled: true };
    case "Tab":
      return { state: { ...state, focus: clamp(state.focus + (shift ? -1 : 1), 0, last) }, handled: true };
    case "ArrowRight":
    case "ArrowLeft": {
      const current = focused === undefined ? undefined : state.scores[focused.name];
      const step = key === "ArrowRight" ? 1 : -1;
      const value = current === undefined ? (step > 0 ? 1 : focused?.scale ?? 1) : current + step;
      return { state: setScore(state, criteria, value, false), handled: true };
    }
    case "Enter": {
      const [missing] = missingCriteria(criteria, state.scores);
      return missing === undefined
        ? { state, action: "submit", handled: true }
        : { state: { ...state, focus: criteria.findIndex((criterion) => criterion.name === missing) }, handled: true };
    }
    case "s":
    case "S":
      return { state, action: "skip", handled: true };
    default:
      return { state, handled: false };
  }
}
