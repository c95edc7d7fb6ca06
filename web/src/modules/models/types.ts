/** Readable names for the registry's schema types, and the enum lists checked against the schema both ways. */
import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type Model = Schemas["ModelOut"];
export type ModelCreate = Schemas["ModelCreate"];
export type ModelUpdate = Schemas["ModelUpdate"];
export type ModelVersion = Schemas["ModelVersionOut"];
export type ModelImport = Schemas["ModelImportRequest"];
export type ModelTransition = Schemas["TransitionOut"];
export type Lineage = Schemas["LineageOut"];
export type VersionLink = Schemas["VersionLink"];
export type Lifecycle = Schemas["LifecycleOut"];
export type ModelTask = Model["task"];
export type ModelState = ModelVersion["state"];
export type ModelKind = ModelVersion["kind"];
export type ModelImportSource = ModelImport["source"];
export type ExportFormat = NonNullable<Schemas["ExportRequest"]["format"]>;

// Object keys, so a task, state, kind or source added on the server fails the build until the console knows it.
const taskOrder: { [T in ModelTask]: true } = {
  chat: true, completion: true, embedding: true, classification: true, other: true,
};
const stateOrder: { [S in ModelState]: true } = {
  registered: true, training: true, trained: true, evaluating: true, evaluated: true, approved: true,
  rejected: true, deployed: true, retired: true,
};
const kindOrder: { [K in ModelKind]: true } = { base: true, adapter: true, merged: true, quantized: true };
const sourceOrder: { [S in ModelImportSource]: true } = {
  path: true, gguf: true, huggingface: true, modelscope: true,
};

export const MODEL_TASKS = Object.keys(taskOrder) as ModelTask[];
/** Every lifecycle state, in lifecycle order. */
export const MODEL_STATES = Object.keys(stateOrder) as ModelState[];
export const MODEL_KINDS = Object.keys(kindOrder) as ModelKind[];
export const MODEL_IMPORT_SOURCES = Object.keys(sourceOrder) as ModelImportSource[];
/** Sources on the server's disk (referenced in place or copied); the others are hub ids, always downloaded. */
export const LOCAL_SOURCES: ReadonlySet<ModelImportSource> = new Set<ModelImportSource>(["path", "gguf"]);
