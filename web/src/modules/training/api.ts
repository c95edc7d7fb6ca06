/**
 * Queries and mutations of the training module: advice and launch (`/api/training`), training
 * runs (jobs whose kind starts with `training.`), and the registry's base models and results.
 * A run is a job, so its detail, metrics and log come from `modules/jobs/api.ts`.
 */
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../api/client";
import type { Job } from "../../api/types";
import { TERMINAL_JOB_STATES } from "../../api/types";
import { jobKeys, listRefetchInterval } from "../jobs/api";
import type { RunRequest, WizardRequest } from "./types";

/** Every training job kind starts with this (training.sft, and the recipes to come). */
export const TRAINING_KIND_PREFIX = "training.";

export const trainingKeys = {
  runs: (page: number, pageSize: number) => ["jobs", "list", "training", page, pageSize] as const,
  chatModels: ["training", "chat-models"] as const,
  versions: (modelId: number) => ["training", "model-versions", modelId] as const,
  resolved: (reference: string) => ["training", "resolved", reference] as const,
  checkpoints: (id: number, live: boolean) => ["jobs", "detail", id, "checkpoints", live] as const,
};

export function useTrainingRuns(page: number, pageSize: number) {
  return useQuery({
    queryKey: trainingKeys.runs(page, pageSize),
    queryFn: () => unwrap(api.GET("/api/jobs", {
      params: { query: { page, page_size: pageSize, sort: "-created_at", kind_prefix: TRAINING_KIND_PREFIX } },
    })),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => listRefetchInterval(query.state.data?.items),
  });
}

/** The advisor's proposal for a complete request (null until the wizard has one). */
export function useAdvice(request: WizardRequest | null) {
  return useQuery({
    queryKey: ["training", "advice", request] as const,
    enabled: request !== null,
    // The server fills the defaulted fields the wizard leaves out (see WizardRequest).
    queryFn: () => unwrap(api.POST("/api/training/advice", { body: request as RunRequest })),
    placeholderData: keepPreviousData, // keep the table while an edit is re-checked
    staleTime: 60_000,
  });
}

export function useStartRun() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: WizardRequest) => unwrap(api.POST("/api/training/runs", { body: body as RunRequest })),
    onSuccess: (job: Job) => {
      queryClient.setQueryData(jobKeys.detail(job.id), job);
      void queryClient.invalidateQueries({ queryKey: ["jobs", "list"] });
    },
  });
}

/** Registered chat models (the bases a fine-tune starts from). */
export function useChatModels() {
  return useQuery({
    queryKey: trainingKeys.chatModels,
    queryFn: () => unwrap(api.GET("/api/models", { params: { query: { task: "chat", page_size: 100 } } })),
  });
}

export function useModelVersions(modelId: number | undefined) {
  return useQuery({
    queryKey: trainingKeys.versions(modelId ?? 0),
    enabled: modelId !== undefined,
    queryFn: () => unwrap(api.GET("/api/models/{model_id}/versions", { params: { path: { model_id: modelId ?? 0 } } })),
  });
}

/** The registry version a reference (`name:N`) names, for a link to its page. */
export function useResolvedModel(reference: string | undefined) {
  return useQuery({
    queryKey: trainingKeys.resolved(reference ?? ""),
    enabled: reference !== undefined,
    queryFn: () => unwrap(api.GET("/api/models/resolve", { params: { query: { ref: reference ?? "" } } })),
    staleTime: Infinity, // a reference with a number never moves
  });
}

/**
 * The checkpoints a run has saved: refreshed while it trains, and read once more when it ends (the
 * key holds `live`), so the last checkpoint, saved between two refreshes, is never missing.
 */
export function useCheckpoints(id: number, live: boolean) {
  return useQuery({
    queryKey: trainingKeys.checkpoints(id, live),
    queryFn: () => unwrap(api.GET("/api/training/runs/{job_id}/checkpoints", { params: { path: { job_id: id } } })),
    refetchInterval: live ? 10_000 : false,
    placeholderData: keepPreviousData, // the live list stays in view while the final one loads
  });
}

/** Several runs with their metric series, for the comparison page; live ones keep refreshing. */
export function useRunsWithMetrics(ids: readonly number[]) {
  const jobs = useQueries({
    queries: ids.map((id) => ({
      queryKey: jobKeys.detail(id),
      queryFn: () => unwrap(api.GET("/api/jobs/{job_id}", { params: { path: { job_id: id } } })),
    })),
  });
  const metrics = useQueries({
    queries: ids.map((id, index) => {
      const job = jobs[index]?.data;
      return {
        queryKey: jobKeys.metrics(id),
        queryFn: () => unwrap(api.GET("/api/jobs/{job_id}/metrics", { params: { path: { job_id: id } } })),
        refetchInterval: job && !TERMINAL_JOB_STATES.has(job.state) ? 2_000 : (false as const),
      };
    }),
  });
  return { jobs, metrics };
}
