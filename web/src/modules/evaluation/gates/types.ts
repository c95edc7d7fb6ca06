/** Readable names for the deploy gate API's schema types. */
import type { components } from "../../../api/schema";

type Schemas = components["schemas"];

export type Gate = Schemas["GateOut"];
export type GateRule = Gate["rules"][number];
export type MetricRule = Schemas["MetricRule"];
export type DimensionRule = Schemas["DimensionRule"];
export type DimensionDropRule = Schemas["DimensionDropRule"];
export type RuleResult = Schemas["RuleResult"];
export type GateReport = Schemas["GateReport"];
export type Decision = Schemas["DecisionOut"];
export type CheckRequest = Schemas["CheckRequest"];
