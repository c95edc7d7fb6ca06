/** Readable names for the human evaluation API's schema types. */
import type { components } from "../../../api/schema";

type Schemas = components["schemas"];

export type HumanTask = Schemas["HumanTaskOut"];
export type HumanTaskCreate = Schemas["HumanTaskCreate"];
export type Criterion = Schemas["HumanCriterion"];
export type Assignment = Schemas["HumanAssignment"];
export type ReviewedAssignment = Schemas["HumanReviewedAssignment"];
export type AssignmentState = Schemas["HumanAssignmentState"];
export type Queue = Schemas["HumanQueue"];
export type Results = Schemas["HumanResults"];
export type CriterionAgreement = Schemas["HumanCriterionAgreement"];
export type EvaluatorProgress = Schemas["HumanEvaluatorProgress"];
export type Evaluator = Schemas["HumanEvaluator"];

/** The rubric a new task starts with (the server's default): three criteria scored 1 to 5. */
export const DEFAULT_CRITERIA: Criterion[] = [
  { name: "helpfulness", description: "Does the answer do what the user asked, usefully and completely?", scale: 5 },
  { name: "correctness", description: "Are the facts, reasoning and results right?", scale: 5 },
  { name: "fluency", description: "Is it clear, natural and well written in the user's language?", scale: 5 },
];
