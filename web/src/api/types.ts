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

// The data module.
export type Dataset = Schemas["DatasetOut"];
export type DatasetCreate = Schemas["DatasetCreate"];
export type DatasetUpdate = Schemas["DatasetUpdate"];
export type DatasetVersion = Schemas["VersionOut"];
export type DataSchema = DatasetVersion["data_schema"];
export type DataType = Dataset["data_type"];
export type Sensitivity = Dataset["sensitivity"];
export type Visibility = Dataset["visibility"];
export type ImportRequest = Schemas["ImportRequest"];
export type ImportSource = ImportRequest["source"];
export type InvalidRows = NonNullable<ImportRequest["on_invalid"]>;
export type ImportPreview = Schemas["PreviewOut"];
export type RowsPage = Schemas["RowsPage"];
export type CatalogEntry = Schemas["CatalogEntry"];
export type SplitRequest = Schemas["SplitRequest"];

const dataSchemaOrder: { [S in DataSchema]: true } = {
  chat: true, preference: true, prompt_answer: true, text: true, classification: true,
};
const dataTypeOrder: { [T in DataType]: true } = { text: true, image: true, audio: true, video: true };
const sensitivityOrder: { [S in Sensitivity]: true } = {
  public: true, internal: true, confidential: true, restricted: true,
};
const visibilityOrder: { [V in Visibility]: true } = { private: true, department: true, public: true };
const importSourceOrder: { [S in ImportSource]: true } = { url: true, path: true, fsspec: true, huggingface: true };

export const DATA_SCHEMAS = Object.keys(dataSchemaOrder) as DataSchema[];
export const DATA_TYPES = Object.keys(dataTypeOrder) as DataType[];
export const SENSITIVITIES = Object.keys(sensitivityOrder) as Sensitivity[];
export const VISIBILITIES = Object.keys(visibilityOrder) as Visibility[];
export const IMPORT_SOURCES = Object.keys(importSourceOrder) as ImportSource[];
