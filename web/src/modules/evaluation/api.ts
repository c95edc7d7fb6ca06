/**
 * Queries and mutations of evaluation runs (`/api/evaluation`): the run list, one run (polled
 * while its job works), its per-example records, the comparison of several runs, starting a run,
 * and the registry's versions the new-run form offers.
 */
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, pathFor, unwrap } from "../../api/client";
import { TERMINAL_JOB_STATES, type JobState } from "../../api/types";
import { filterQuery, recordsQuery, type RecordFilters } from "./records";
import type { EvalRun, EvalRunRequest } from "./types";

export const evaluationKeys = {
  runs: (page: number, pageSize: number) => ["evaluation", "runs", page, pageSize] as const,
  run: (id: number) => ["evaluation", "run", id] as const,
  records: (id: number, state: string, filters: RecordFilters, page: number, pageSize: number) =>
    ["evaluation", "run", id, "records", state, filters, page, pageSize] as const,
  compare: (ids: readonly number[]) => ["evaluation", "compare", ids] as const,
  models: ["evaluation", "models"] as const,
  versions: (modelId: number) => ["evaluation", "versions", modelId] as const,
};

/** Whether a run's job may still change it. */
export function isLive(run: Pick<EvalRun, "state"> | undefined): boolean {
  return run !== undefined && !TERMINAL_JOB_STATES.has(run.state as JobState);
}

export function useEvalRuns(page: number, pageSize: number) {
  return useQuery({
    queryKey: evaluationKeys.runs(page, pageSize),
    queryFn: () => unwrap(api.GET("/api/evaluation/runs", { params: { query: { page, page_size: pageSize } } })),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.items.some(isLive) ? 3_000 : 15_000),
  });
}

export function useEvalRun(id: number, enabled = true) {
  return useQuery({
    queryKey: evaluationKeys.run(id),
    enabled,
    queryFn: () => unwrap(api.GET("/api/evaluation/runs/{run_id}", { params: { path: { run_id: id } } })),
    refetchInterval: (query) => (isLive(query.state.data) ? 2_000 : false),
  });
}

/**
 * One page of a run's records, refreshed while the run still writes them. The run's state is part
 * of the key, so the records are read again once the run has finished.
 */
export function useEvalRecords(run: Pick<EvalRun, "id" | "state">, filters: RecordFilters, page: number,
                               pageSize: number) {
  return useQuery({
    queryKey: evaluationKeys.records(run.id, run.state, filters, page, pageSize),
    queryFn: () => unwrap(api.GET("/api/evaluation/runs/{run_id}/records", {
      params: { path: { run_id: run.id }, query: recordsQuery(filters, page, pageSize) },
    })),
    placeholderData: keepPreviousData,
    refetchInterval: isLive(run) ? 5_000 : false,
  });
}

/** Where the browser downloads a run's records, filtered as shown, as JSON Lines or CSV. */
export function recordsExportUrl(id: number, format: "jsonl" | "csv", filters: RecordFilters): string {
  return pathFor("/api/evaluation/runs/{run_id}/records/export", { run_id: id }, { ...filterQuery(filters), format });
}

export function useComparison(ids: readonly number[]) {
  return useQuery({
    queryKey: evaluationKeys.compare(ids),
    enabled: ids.length > 0,
    queryFn: () => unwrap(api.GET("/api/evaluation/compare", { params: { query: { runs: ids.join(",") } } })),
  });
}

export function useStartEvalRun() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: EvalRunRequest) => unwrap(api.POST("/api/evaluation/runs", { body })),
    onSuccess: (run) => {
      queryClient.setQueryData(evaluationKeys.run(run.id), run);
      void queryClient.invalidateQueries({ queryKey: ["evaluation", "runs"] });
    },
  });
}

/** Every registered model (the form offers their versions). */
export function useRegisteredModels() {
  return useQuery({
    queryKey: evaluationKeys.models,
    queryFn: () => unwrap(api.GET("/api/models", { params: { query: { page_size: 200, sort: "name" } } })),
  });
}

/** The versions of each of `modelIds`, loaded side by side. */
export function useVersionsOf(modelIds: readonly number[]) {
  return useQueries({
    queries: modelIds.map((id) => ({
      queryKey: evaluationKeys.versions(id),
      queryFn: () => unwrap(api.GET("/api/models/{model_id}/versions", { params: { path: { model_id: id } } })),
    })),
  });
}
