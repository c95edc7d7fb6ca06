/** Readable names for the training API's schema types, and the recipes and methods it accepts. */
import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type RunRequest = Schemas["RunRequest"];
/**
 * The fields the wizard sets. The generated type marks every field with a server default as
 * required; the ones left out here (checkpoint interval, merging, …) take the server's default.
 */
export type WizardRequest = Pick<RunRequest, "base_model" | "dataset_id" | "number" | "split" | "recipe" | "method"
  | "overrides" | "max_steps" | "output_model" | "auto_stop">;
export type Proposal = Schemas["Proposal"];
export type Estimate = Schemas["Estimate"];
export type Recipe = NonNullable<RunRequest["recipe"]>;
export type Method = NonNullable<RunRequest["method"]>;
export type ModelSummary = Schemas["ModelOut"];
export type ModelVersion = Schemas["ModelVersionOut"];
export type Checkpoint = Schemas["CheckpointOut"];

// Object keys, so the compiler checks these lists against the schema both ways: a recipe the
// server adds fails the build until the wizard offers it.
const recipeOrder: { [R in Recipe]: true } = { sft: true, pretrain: true, dpo: true, grpo: true };
const methodOrder: { [M in Method]: true } = { lora: true, qlora: true, full: true };

export const RECIPES = Object.keys(recipeOrder) as Recipe[];
export const METHODS = Object.keys(methodOrder) as Method[];
