/** Queries and mutations of the jobs API, shared by the jobs pages (and the training module). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../api/client";
import type { Job, JobCreate, JobState } from "../../api/types";
import { TERMINAL_JOB_STATES } from "../../api/types";

export interface JobFilters {
  state?: JobState;
  kind?: string;
  q?: string;
  page: number;
  pageSize: number;
}

export const jobKeys = {
  all: ["jobs"] as const,
  list: (filters: JobFilters) => ["jobs", "list", filters] as const,
  detail: (id: number) => ["jobs", "detail", id] as const,
  metrics: (id: number) => ["jobs", "detail", id, "metrics"] as const,
  kinds: ["jobs", "kinds"] as const,
};

/** Refresh fast while something moves, slowly otherwise (jobs submitted elsewhere still appear). */
export function listRefetchInterval(jobs: readonly Pick<Job, "state">[] | undefined): number {
  return jobs?.some((job) => !TERMINAL_JOB_STATES.has(job.state)) ? 2_000 : 10_000;
}

export function useJobs(filters: JobFilters, autoRefresh: boolean) {
  return useQuery({
    queryKey: jobKeys.list(filters),
    queryFn: () => unwrap(api.GET("/api/jobs", {
      params: { query: { page: filters.page, page_size: filters.pageSize, sort: "-created_at",
                         state: filters.state, kind: filters.kind || undefined, q: filters.q || undefined } },
    })),
    placeholderData: keepPreviousData, // keep the table while the next page loads
    refetchInterval: (query) => (autoRefresh ? listRefetchInterval(query.state.data?.items) : false),
  });
}

export function useJob(id: number, enabled = true) {
  return useQuery({
    queryKey: jobKeys.detail(id),
    enabled,
    queryFn: () => unwrap(api.GET("/api/jobs/{job_id}", { params: { path: { job_id: id } } })),
    // The log stream pushes state changes; polling is the fallback if the stream drops.
    refetchInterval: (query) => (query.state.data && !TERMINAL_JOB_STATES.has(query.state.data.state) ? 5_000 : false),
  });
}

export function useJobMetrics(id: number, live: boolean) {
  return useQuery({
    queryKey: jobKeys.metrics(id),
    queryFn: () => unwrap(api.GET("/api/jobs/{job_id}/metrics", { params: { path: { job_id: id } } })),
    refetchInterval: live ? 2_000 : false,
  });
}

export function useJobKinds() {
  return useQuery({
    queryKey: jobKeys.kinds,
    queryFn: () => unwrap(api.GET("/api/jobs/kinds")),
    staleTime: 5 * 60_000,
  });
}

/** Cancel or retry: both answer the updated job, which replaces the cached one. */
export function useJobAction(action: "cancel" | "retry") {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(action === "cancel"
      ? api.POST("/api/jobs/{job_id}/cancel", { params: { path: { job_id: id } } })
      : api.POST("/api/jobs/{job_id}/retry", { params: { path: { job_id: id } } })),
    onSuccess: (job) => {
      queryClient.setQueryData(jobKeys.detail(job.id), job);
      void queryClient.invalidateQueries({ queryKey: ["jobs", "list"] });
    },
  });
}

export function useSubmitJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: JobCreate) => unwrap(api.POST("/api/jobs", { body })),
    onSuccess: (job) => {
      queryClient.setQueryData(jobKeys.detail(job.id), job);
      void queryClient.invalidateQueries({ queryKey: ["jobs", "list"] });
    },
  });
}
