/** Queries and mutations of the model registry API (`/api/models`). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, pathFor, unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import type { ExportFormat, ModelCreate, ModelImport, ModelState, ModelTask, ModelUpdate } from "./types";

export interface ModelFilters {
  q?: string;
  task?: ModelTask;
  state?: ModelState;
  tag?: string;
  /** A sortable column, "-" first for descending (the server's `sort`). */
  sort: string;
  page: number;
  pageSize: number;
}

export const modelKeys = {
  all: ["models"] as const,
  list: (filters: ModelFilters) => ["models", "list", filters] as const,
  lifecycle: ["models", "lifecycle"] as const,
  detail: (id: number) => ["models", "detail", id] as const,
  versions: (id: number) => ["models", "detail", id, "versions"] as const,
  version: (id: number, number: number) => ["models", "detail", id, "versions", number] as const,
  history: (id: number, number: number) => ["models", "detail", id, "versions", number, "history"] as const,
  lineage: (id: number, number: number) => ["models", "detail", id, "versions", number, "lineage"] as const,
};

interface VersionKey {
  id: number;
  number: number;
}

const versionPath = ({ id, number }: VersionKey) => ({ path: { model_id: id, number } });

export function useModels(filters: ModelFilters) {
  return useQuery({
    queryKey: modelKeys.list(filters),
    queryFn: () => unwrap(api.GET("/api/models", {
      params: { query: { page: filters.page, page_size: filters.pageSize, sort: filters.sort, q: filters.q || undefined,
                         task: filters.task, state: filters.state, tag: filters.tag || undefined } },
    })),
    placeholderData: keepPreviousData,
  });
}

export function useLifecycle() {
  return useQuery({
    queryKey: modelKeys.lifecycle,
    queryFn: () => unwrap(api.GET("/api/models/lifecycle")),
    staleTime: 5 * 60_000,
  });
}

export function useModel(id: number) {
  return useQuery({
    queryKey: modelKeys.detail(id),
    queryFn: () => unwrap(api.GET("/api/models/{model_id}", { params: { path: { model_id: id } } })),
  });
}

export function useModelVersions(id: number) {
  return useQuery({
    queryKey: modelKeys.versions(id),
    queryFn: () => unwrap(api.GET("/api/models/{model_id}/versions", { params: { path: { model_id: id } } })),
  });
}

export function useModelVersion(key: VersionKey) {
  return useQuery({
    queryKey: modelKeys.version(key.id, key.number),
    queryFn: () => unwrap(api.GET("/api/models/{model_id}/versions/{number}", { params: versionPath(key) })),
  });
}

export function useVersionHistory(key: VersionKey) {
  return useQuery({
    queryKey: modelKeys.history(key.id, key.number),
    queryFn: () => unwrap(api.GET("/api/models/{model_id}/versions/{number}/history", { params: versionPath(key) })),
  });
}

export function useLineage(key: VersionKey) {
  return useQuery({
    queryKey: modelKeys.lineage(key.id, key.number),
    queryFn: () => unwrap(api.GET("/api/models/{model_id}/versions/{number}/lineage", { params: versionPath(key) })),
  });
}

/** Everything under one model (its page, versions, history, lineage) and the lists, reloaded. */
function useInvalidateModel() {
  const queryClient = useQueryClient();
  return (id: number) => Promise.all([
    queryClient.invalidateQueries({ queryKey: modelKeys.detail(id) }),
    queryClient.invalidateQueries({ queryKey: ["models", "list"] }),
  ]);
}

export function useCreateModel() {
  const invalidate = useInvalidateModel();
  return useMutation({
    mutationFn: (body: ModelCreate) => unwrap(api.POST("/api/models", { body })),
    onSuccess: (model) => void invalidate(model.id),
  });
}

export function useUpdateModel() {
  const invalidate = useInvalidateModel();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: ModelUpdate }) =>
      unwrap(api.PATCH("/api/models/{model_id}", { params: { path: { model_id: id } }, body })),
    // A stale edit (409) reloads the model so the next try starts from what is stored.
    onSettled: (_data, _error, { id }) => void invalidate(id),
  });
}

export function useDeleteModel() {
  const invalidate = useInvalidateModel();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE("/api/models/{model_id}", { params: { path: { model_id: id } } })),
    onSuccess: (model) => void invalidate(model.id),
  });
}

export function useImportVersion() {
  const invalidate = useInvalidateModel();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: ModelImport }) =>
      unwrap(api.POST("/api/models/{model_id}/imports", { params: { path: { model_id: id } }, body })),
    onSuccess: (_result, { id }) => void invalidate(id),
  });
}

export interface TransitionInput extends VersionKey {
  to: ModelState;
  reason: string;
}

export function useTransition() {
  const invalidate = useInvalidateModel();
  return useMutation({
    // No `version` in the body on purpose: the server judges the move against the version's
    // current state, so a page that is out of date gets the lifecycle's reason, not "stale".
    mutationFn: ({ id, number, to, reason }: TransitionInput) =>
      unwrap(api.POST("/api/models/{model_id}/versions/{number}/transition", {
        params: versionPath({ id, number }), body: { to, reason, force: false },
      })),
    // A refusal (409) also reloads: the state it was judged against may be newer than the page.
    onSettled: (_data, error, { id }) => {
      if (error === null || (error instanceof ApiError && error.status === 409)) void invalidate(id);
    },
  });
}

export function useSetAlias() {
  const invalidate = useInvalidateModel();
  return useMutation({
    mutationFn: ({ id, alias, number }: { id: number; alias: string; number: number }) =>
      unwrap(api.PUT("/api/models/{model_id}/aliases/{alias}", {
        params: { path: { model_id: id, alias } }, body: { number },
      })),
    onSuccess: (model) => void invalidate(model.id),
  });
}

export function useRemoveAlias() {
  const invalidate = useInvalidateModel();
  return useMutation({
    mutationFn: ({ id, alias }: { id: number; alias: string }) =>
      unwrap(api.DELETE("/api/models/{model_id}/aliases/{alias}", { params: { path: { model_id: id, alias } } })),
    onSuccess: (model) => void invalidate(model.id),
  });
}

export function useMergeAdapter() {
  return useMutation({
    mutationFn: ({ id, number, targetModel }: VersionKey & { targetModel?: string }) =>
      unwrap(api.POST("/api/models/{model_id}/versions/{number}/merge", {
        params: versionPath({ id, number }), body: { target_model: targetModel || null, description: "" },
      })),
  });
}

export function useConvertGguf() {
  return useMutation({
    mutationFn: (key: VersionKey) =>
      unwrap(api.POST("/api/models/{model_id}/versions/{number}/convert", { params: versionPath(key) })),
  });
}

export function useExportVersion() {
  return useMutation({
    mutationFn: ({ id, number, format }: VersionKey & { format: ExportFormat }) =>
      unwrap(api.POST("/api/models/{model_id}/versions/{number}/export", {
        params: versionPath({ id, number }), body: { format },
      })),
  });
}

/** Where a finished tar export downloads from (a plain link: the session cookie authenticates it). */
export function exportDownloadUrl({ id, number }: VersionKey): string {
  return pathFor("/api/models/{model_id}/versions/{number}/export", { model_id: id, number });
}
