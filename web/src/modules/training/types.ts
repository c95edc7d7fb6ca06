/** Readable names for the training API's schema types, and the recipes and methods it accepts. */
import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type RunRequest = Schemas["RunRequest"];
/**
 * The fields the wizard sends. The generated type marks every field with a server default as
 * required; the wizard sets each of them, the advanced ones from its Advanced part.
 */
export type WizardRequest = Pick<RunRequest, "base_model" | "dataset_id" | "number" | "split" | "recipe" | "method"
  | "overrides" | "max_steps" | "output_model" | "auto_stop" | "checkpoint_every" | "merge" | "eval_split"
  | "early_stopping_patience" | "rewards">;
export type Proposal = Schemas["Proposal"];
export type Estimate = Schemas["Estimate"];
export type LaunchPlan = Schemas["LaunchPlan"];
export type Recipe = NonNullable<RunRequest["recipe"]>;
export type Method = NonNullable<RunRequest["method"]>;
export type ModelSummary = Schemas["ModelOut"];
export type ModelVersion = Schemas["ModelVersionOut"];
export type Checkpoint = Schemas["CheckpointOut"];
export type RewardSpec = NonNullable<RunRequest["rewards"]>[number];
export type RewardKind = RewardSpec["reward"];

// Object keys, so the compiler checks these lists against the schema both ways: a recipe the
// server adds fails the build until the wizard offers it.
const recipeOrder: { [R in Recipe]: true } = { sft: true, pretrain: true, dpo: true, grpo: true, reward: true };
const methodOrder: { [M in Method]: true } = { lora: true, qlora: true, full: true };
const rewardOrder: { [K in RewardKind]: true } = {
  exact_match: true, regex: true, length: true, similarity: true, python: true,
};

export const RECIPES = Object.keys(recipeOrder) as Recipe[];
export const METHODS = Object.keys(methodOrder) as Method[];
/** GRPO's reward kinds, as the server's schema lists them. */
export const REWARD_KINDS = Object.keys(rewardOrder) as RewardKind[];
