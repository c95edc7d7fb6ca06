/**
 * The wizard's advanced settings (checkpoints, merging, automatic stop, held-out evaluation, GRPO's
 * reward functions) as plain data: their defaults, the request fields they become, and the
 * server's refusals placed on the field they name. Pure logic, unit-tested without a browser.
 */
import { detailPath, type ErrorDetail, mapFieldErrors } from "../../api/errors";
import { type Method, type Recipe, REWARD_KINDS, type RewardKind, type RewardSpec, type RunRequest } from "./types";

/** One reward function being edited: every kind's fields, so switching the kind keeps what was typed. */
export interface RewardDraft {
  reward: RewardKind;
  weight: number;
  pattern: string;
  full: boolean;
  minChars: number;
  maxChars: number;
  code: string;
  timeoutSeconds: number;
}

export interface AdvancedSettings {
  checkpointEvery: number;
  merge: boolean;
  autoStop: boolean;
  /** null: the version's validation split when it has one (the server's default). */
  evalSplit: string | null;
  /** null: no early stopping. */
  earlyStoppingPatience: number | null;
  rewards: RewardDraft[];
}

export const USER_REWARD_TEMPLATE = `def reward(completion, reference, prompt):
    # 1 when the answer mentions the reference, else 0
    return float(reference.strip().lower() in completion.lower())
`;

/** A new reward of ``kind`` with the server's defaults. */
export function newReward(kind: RewardKind): RewardDraft {
  return { reward: kind, weight: 1, pattern: "", full: false, minChars: 0, maxChars: 200,
           code: USER_REWARD_TEMPLATE, timeoutSeconds: 1 };
}

/** The server's defaults; GRPO starts with one exact-match reward (it refuses to run without any). */
export function defaultAdvanced(recipe: Recipe): AdvancedSettings {
  return { checkpointEvery: 50, merge: false, autoStop: false, evalSplit: null, earlyStoppingPatience: null, rewards: recipe === "grpo" ? [newReward("exact_match")] : [] };
}

/** Whether the run ends with an adapter of the language model that can be merged into the base (a reward
 * model's score head has no place in the base), and whether the recipe has a held-out loss. */
export const canMerge = (recipe: Recipe, method: Method): boolean => method !== "full" && recipe !== "reward";
export const hasEvalLoss = (recipe: Recipe): boolean => recipe !== "grpo";

/** The request body of one reward: its kind's fields only (the server refuses any other). */
export function rewardBody(draft: RewardDraft): RewardSpec {
  const weight = draft.weight;
  switch (draft.reward) {
    case "exact_match":
    case "similarity":
      return { reward: draft.reward, weight };
    case "regex":
      return { reward: "regex", weight, pattern: draft.pattern, full: draft.full };
    case "length":
      return { reward: "length", weight, min_chars: draft.minChars, max_chars: draft.maxChars };
    case "python":
      return { reward: "python", weight, code: draft.code, timeout_seconds: draft.timeoutSeconds };
  }
}

export type AdvancedRequest = Pick<RunRequest, "checkpoint_every" | "merge" | "auto_stop" | "eval_split"
  | "early_stopping_patience" | "rewards">;

/**
 * The request fields of the advanced settings for ``recipe`` and ``method``: merging only where
 * there is an adapter, evaluation only where there is a loss to evaluate, rewards only for GRPO.
 * (The evaluation interval is a row of the advisor's table, so it travels in ``overrides``.)
 * ``withRewards`` false leaves the rewards out (the advisor does not need them, and half-typed
 * code would fail every re-check while the user types).
 */
export function advancedRequest(settings: AdvancedSettings, recipe: Recipe, method: Method,
                                withRewards: boolean): AdvancedRequest {
  const evaluates = hasEvalLoss(recipe);
  return {
    checkpoint_every: settings.checkpointEvery,
    merge: canMerge(recipe, method) && settings.merge,
    auto_stop: settings.autoStop,
    eval_split: evaluates ? settings.evalSplit : null,
    early_stopping_patience: evaluates ? settings.earlyStoppingPatience : null,
    rewards: withRewards && recipe === "grpo" ? settings.rewards.map(rewardBody) : [],
  };
}

/** The advanced fields a refusal may name, besides each reward's. */
export const ADVANCED_FIELDS = ["checkpoint_every", "merge", "auto_stop", "eval_split", "early_stopping_patience",
                                "rewards"] as const;

/** Request field names of a reward's form fields (as the server names them in a refusal). */
export const REWARD_FIELDS: Record<Exclude<keyof RewardDraft, "reward">, string> = {
  weight: "weight", pattern: "pattern", full: "full", minChars: "min_chars", maxChars: "max_chars", code: "code",
  timeoutSeconds: "timeout_seconds",
};

export interface PlacedProblems {
  /** Messages per advanced field (`merge`, `eval_split`, …; `rewards` for the list as a whole). */
  byField: Record<string, string[]>;
  /** Messages per reward (by index): on one of its fields, or on the reward itself (`""`). */
  byReward: Record<number, Record<string, string[]>>;
  /** The rest, for the launch's general alert. */
  general: string[];
}

/**
 * Put a refused launch's details on the fields they name. A reward's field comes as pydantic
 * names it (`body.rewards.1.python.code`: the kind is the union's tag) or as the trial run does
 * (`body.rewards.1.code`, with the line); pydantic's "Value error, " prefix is dropped.
 */
export function placeProblems(details: readonly ErrorDetail[], rewardCount: number): PlacedProblems {
  const rewardFields = Object.values(REWARD_FIELDS);
  const known: string[] = [...ADVANCED_FIELDS];
  for (let index = 0; index < rewardCount; index += 1) {
    known.push(`rewards.${index}`, ...rewardFields.map((field) => `rewards.${index}.${field}`));
  }
  const cleaned = details.map((detail) => {
    const path = detailPath(detail.field);
    if (path[0] === "rewards" && (REWARD_KINDS as readonly string[]).includes(path[2] ?? "")) path.splice(2, 1);
    const message = detail.message.replace(/^Value error, /, "");
    // The trial run's message already starts with "line N:"; do not say it twice.
    const line = detail.line && !message.includes(`line ${detail.line}`) ? detail.line : null;
    return { ...detail, field: path.join("."), message, line };
  });
  const { byField, unmatched } = mapFieldErrors(cleaned, known);
  const placed: PlacedProblems = { byField: {}, byReward: {}, general: unmatched };
  for (const [field, messages] of Object.entries(byField)) {
    const [head, index, name] = field.split(".");
    if (head === "rewards" && index !== undefined) ((placed.byReward[Number(index)] ??= {})[name ?? ""] = messages);
    else placed.byField[field] = messages;
  }
  return placed;
}
