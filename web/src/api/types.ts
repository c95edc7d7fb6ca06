/** Names for the schema types the console uses, so pages never spell generated names. */
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Me = Schemas["MeOut"];
export type User = Schemas["UserOut"];
export type UserCreate = Schemas["UserCreate"];
export type UserUpdate = Schemas["UserUpdate"];
export type Role = User["roles"][number];
export type Department = Schemas["DepartmentOut"];
export type ApiKey = Schemas["ApiKeyOut"];
export type ApiKeyCreated = Schemas["ApiKeyCreated"];
export type DashboardCounts = Schemas["DashboardCounts"];
export type Job = Schemas["JobOut"];
export type JobState = Job["state"];
export type JobCreate = Schemas["JobCreate"];
export type JobKind = Schemas["JobKindOut"];
export type LogChunk = Schemas["LogChunk"];
export type MetricPoint = Schemas["MetricPoint"];
export type MetricSeries = Schemas["MetricSeries"]["series"];

// Listed as object keys so the compiler checks the lists against the schema both ways: a role
// or state added on the server fails the build until the console knows it.
const roleOrder: { [R in Role]: true } = { admin: true, developer: true, annotator: true, reviewer: true };
const jobStateOrder: { [S in JobState]: true } = {
  queued: true, running: true, succeeded: true, failed: true, cancelled: true,
};

/** Every role, in the order the console lists them. */
export const ROLES = Object.keys(roleOrder) as Role[];

/** Every job state, in lifecycle order. */
export const JOB_STATES = Object.keys(jobStateOrder) as JobState[];

export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set<JobState>(["succeeded", "failed", "cancelled"]);
