/** Queries and mutations of the data API (`/api/datasets`). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, pathFor, sendBytes, unwrap, uploadWithProgress } from "../../api/client";
import { ApiError } from "../../api/errors";
import type {
  Dataset, DatasetCreate, DatasetUpdate, ImportPreview, ImportRequest, InvalidRows, Job, SplitRequest,
} from "../../api/types";

export interface DatasetFilters {
  q?: string;
  page: number;
  pageSize: number;
}

export interface RowFilters {
  q?: string;
  split?: "train" | "dev" | "test";
  page: number;
  pageSize: number;
}

export const datasetKeys = {
  all: ["datasets"] as const,
  list: (filters: DatasetFilters) => ["datasets", "list", filters] as const,
  detail: (id: number) => ["datasets", "detail", id] as const,
  versions: (id: number) => ["datasets", "detail", id, "versions"] as const,
  rows: (id: number, number: number, filters: RowFilters) => ["datasets", "detail", id, "rows", number, filters] as const,
  report: (id: number, number: number) => ["datasets", "detail", id, "report", number] as const,
  rules: ["datasets", "cleaning-rules"] as const,
  augmentations: ["datasets", "augmentations"] as const,
};

/** How much of a file the import preview reads: its first megabyte is plenty for 20 rows. */
export const PREVIEW_BYTES = 1_048_576;

export function useDatasets(filters: DatasetFilters) {
  return useQuery({
    queryKey: datasetKeys.list(filters),
    queryFn: () => unwrap(api.GET("/api/datasets", {
      params: { query: { page: filters.page, page_size: filters.pageSize, sort: "-created_at", q: filters.q || undefined } },
    })),
    placeholderData: keepPreviousData,
  });
}

export function useDataset(id: number, enabled = true) {
  return useQuery({
    queryKey: datasetKeys.detail(id),
    enabled,
    queryFn: () => unwrap(api.GET("/api/datasets/{dataset_id}", { params: { path: { dataset_id: id } } })),
  });
}

export function useVersions(id: number, enabled = true) {
  return useQuery({
    queryKey: datasetKeys.versions(id),
    enabled,
    queryFn: () => unwrap(api.GET("/api/datasets/{dataset_id}/versions", { params: { path: { dataset_id: id } } })),
  });
}

export function useRows(id: number, number: number, filters: RowFilters) {
  return useQuery({
    queryKey: datasetKeys.rows(id, number, filters),
    enabled: number > 0,
    queryFn: () => unwrap(api.GET("/api/datasets/{dataset_id}/versions/{number}/rows", {
      params: {
        path: { dataset_id: id, number },
        query: { page: filters.page, page_size: filters.pageSize, q: filters.q || undefined, split: filters.split },
      },
    })),
    placeholderData: keepPreviousData,
  });
}

/** The version's quality report, or null when none was computed yet (404). */
export function useReport(id: number, number: number) {
  return useQuery({
    queryKey: datasetKeys.report(id, number),
    enabled: number > 0,
    queryFn: async () => {
      try {
        return await unwrap(api.GET("/api/datasets/{dataset_id}/versions/{number}/report", {
          params: { path: { dataset_id: id, number } },
        })) as Record<string, unknown>;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
}

export function useCleaningRules() {
  return useQuery({
    queryKey: datasetKeys.rules,
    queryFn: () => unwrap(api.GET("/api/datasets/cleaning-rules")),
    staleTime: 5 * 60_000,
  });
}

export function useAugmentations() {
  return useQuery({
    queryKey: datasetKeys.augmentations,
    queryFn: () => unwrap(api.GET("/api/datasets/augmentations")),
    staleTime: 5 * 60_000,
  });
}

function useInvalidateDatasets() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: datasetKeys.all });
}

export function useCreateDataset() {
  const invalidate = useInvalidateDatasets();
  return useMutation({
    mutationFn: (body: DatasetCreate) => unwrap(api.POST("/api/datasets", { body })),
    onSuccess: () => void invalidate(),
  });
}

export function useUpdateDataset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: DatasetUpdate }) =>
      unwrap(api.PATCH("/api/datasets/{dataset_id}", { params: { path: { dataset_id: id } }, body })),
    onSuccess: (dataset: Dataset) => {
      queryClient.setQueryData(datasetKeys.detail(dataset.id), dataset);
      void queryClient.invalidateQueries({ queryKey: ["datasets", "list"] });
    },
    onError: (error, { id }) => {
      if (error instanceof ApiError && error.status === 409) {
        void queryClient.invalidateQueries({ queryKey: datasetKeys.detail(id) });
      }
    },
  });
}

export function useDeleteDataset() {
  const invalidate = useInvalidateDatasets();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE("/api/datasets/{dataset_id}", { params: { path: { dataset_id: id } } })),
    onSuccess: () => void invalidate(),
  });
}

/** What an import of `file` would produce, from its first megabyte. */
export function previewImport(file: File) {
  return sendBytes<ImportPreview>("POST", pathFor("/api/datasets/preview", {}, { filename: file.name }),
                                  file.slice(0, PREVIEW_BYTES));
}

export interface UploadOptions {
  on_invalid: InvalidRows;
  file_format?: string;
  source_schema?: string;
}

/** Upload the whole file as the dataset's next version; answers the import job. */
export function uploadFile(datasetId: number, file: File, options: UploadOptions,
                           onProgress: (loaded: number, total: number) => void) {
  const query: Record<string, string> = { filename: file.name, on_invalid: options.on_invalid };
  if (options.file_format) query.file_format = options.file_format;
  if (options.source_schema) query.source_schema = options.source_schema;
  return uploadWithProgress<Job>("PUT", pathFor("/api/datasets/{dataset_id}/upload", { dataset_id: datasetId }, query),
                                 file, onProgress);
}

export function useImportReference() {
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: ImportRequest }) =>
      unwrap(api.POST("/api/datasets/{dataset_id}/imports", { params: { path: { dataset_id: id } }, body })),
  });
}

export function useStartReport() {
  return useMutation({
    mutationFn: ({ id, number }: { id: number; number: number }) =>
      unwrap(api.POST("/api/datasets/{dataset_id}/versions/{number}/report", { params: { path: { dataset_id: id, number } } })),
  });
}

export function usePreviewCleaning() {
  return useMutation({
    mutationFn: ({ id, number, rules }: { id: number; number: number; rules: Record<string, unknown>[] }) =>
      unwrap(api.POST("/api/datasets/{dataset_id}/versions/{number}/clean/preview", {
        params: { path: { dataset_id: id, number } }, body: { rules },
      })) as Promise<unknown>,
  });
}

export function useRunCleaning() {
  return useMutation({
    mutationFn: ({ id, number, rules }: { id: number; number: number; rules: Record<string, unknown>[] }) =>
      unwrap(api.POST("/api/datasets/{dataset_id}/versions/{number}/clean", {
        params: { path: { dataset_id: id, number } }, body: { rules },
      })),
  });
}

export function useRunAugmentation() {
  return useMutation({
    mutationFn: ({ id, number, methods, seed }: { id: number; number: number; methods: Record<string, unknown>[]; seed: number }) =>
      unwrap(api.POST("/api/datasets/{dataset_id}/versions/{number}/augment", {
        params: { path: { dataset_id: id, number } }, body: { methods, seed },
      })),
  });
}

export function useRunSplit() {
  return useMutation({
    mutationFn: ({ id, number, body }: { id: number; number: number; body: SplitRequest }) =>
      unwrap(api.POST("/api/datasets/{dataset_id}/versions/{number}/split", {
        params: { path: { dataset_id: id, number } }, body,
      })),
  });
}

export interface ExportOptions {
  file_format: string;
  target_schema: string;
  split?: string;
}

/** The download address of a version's export (a plain link: the session cookie authenticates it). */
export function exportUrl(id: number, number: number, options: ExportOptions): string {
  const query: Record<string, string> = { file_format: options.file_format, target_schema: options.target_schema };
  if (options.split) query.split = options.split;
  return pathFor("/api/datasets/{dataset_id}/versions/{number}/export", { dataset_id: id, number }, query);
}

/** The version a finished data job produced (`result.version`), if it says. */
export function versionOfJob(job: Job | undefined): number | null {
  const value = job?.result?.version;
  return typeof value === "number" ? value : null;
}
