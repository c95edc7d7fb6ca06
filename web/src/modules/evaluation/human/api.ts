/**
 * Queries and mutations of human evaluation (`/api/evaluation/human`): tasks, the caller's queue,
 * scoring and skipping, the reviewers' list and verdicts, results and the merge into the run.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import type { AssignmentState, HumanTaskCreate } from "./types";

export const humanKeys = {
  all: ["human-eval"] as const,
  tasks: (page: number, pageSize: number) => ["human-eval", "tasks", page, pageSize] as const,
  task: (id: number) => ["human-eval", "task", id] as const,
  queue: (id: number) => ["human-eval", "task", id, "queue"] as const,
  assignments: (id: number, state: AssignmentState | undefined, page: number) =>
    ["human-eval", "task", id, "assignments", state, page] as const,
  results: (id: number) => ["human-eval", "task", id, "results"] as const,
  evaluators: ["human-eval", "evaluators"] as const,
};

const taskPath = (id: number) => ({ params: { path: { task_id: id } } });
const assignmentPath = (id: number) => ({ params: { path: { assignment_id: id } } });

export function useHumanTasks(page: number, pageSize: number) {
  return useQuery({
    queryKey: humanKeys.tasks(page, pageSize),
    queryFn: () => unwrap(api.GET("/api/evaluation/human/tasks", { params: { query: { page, page_size: pageSize } } })),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
}

export function useHumanTask(id: number) {
  return useQuery({
    queryKey: humanKeys.task(id),
    queryFn: () => unwrap(api.GET("/api/evaluation/human/tasks/{task_id}", taskPath(id))),
  });
}

export function useEvaluators(enabled: boolean) {
  return useQuery({
    queryKey: humanKeys.evaluators,
    enabled,
    queryFn: () => unwrap(api.GET("/api/evaluation/human/evaluators")),
  });
}

/** A mutation after which everything shown about human evaluation is fetched again. */
function useHumanMutation<V, R>(mutationFn: (variables: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: humanKeys.all }) });
}

export const useCreateHumanTask = () =>
  useHumanMutation((body: HumanTaskCreate) => unwrap(api.POST("/api/evaluation/human/tasks", { body })));

export function useQueue(taskId: number) {
  return useQuery({
    queryKey: humanKeys.queue(taskId),
    queryFn: () => unwrap(api.GET("/api/evaluation/human/tasks/{task_id}/next", taskPath(taskId))),
  });
}

export const useScore = () =>
  useHumanMutation(({ id, scores, comment }: { id: number; scores: Record<string, number>; comment: string }) =>
    unwrap(api.POST("/api/evaluation/human/assignments/{assignment_id}/score",
                    { ...assignmentPath(id), body: { scores, comment } })));

export const useSkip = () =>
  useHumanMutation((id: number) =>
    unwrap(api.POST("/api/evaluation/human/assignments/{assignment_id}/skip", assignmentPath(id))));

export const useReview = () =>
  useHumanMutation(({ id, decision, comment }: { id: number; decision: "accept" | "return"; comment: string }) =>
    unwrap(api.POST("/api/evaluation/human/assignments/{assignment_id}/review",
                    { ...assignmentPath(id), body: { decision, comment } })));

export const useAcceptScored = () =>
  useHumanMutation((taskId: number) =>
    unwrap(api.POST("/api/evaluation/human/tasks/{task_id}/accept-scored", taskPath(taskId))));

export function useAssignments(taskId: number, state: AssignmentState | undefined, page: number, pageSize: number) {
  return useQuery({
    queryKey: humanKeys.assignments(taskId, state, page),
    queryFn: () => unwrap(api.GET("/api/evaluation/human/tasks/{task_id}/assignments", {
      params: { path: { task_id: taskId }, query: { state, page, page_size: pageSize } },
    })),
    placeholderData: keepPreviousData,
  });
}

export function useResults(taskId: number) {
  return useQuery({
    queryKey: humanKeys.results(taskId),
    queryFn: () => unwrap(api.GET("/api/evaluation/human/tasks/{task_id}/results", taskPath(taskId))),
    refetchInterval: 15_000,
  });
}

export function useMerge() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (taskId: number) => unwrap(api.POST("/api/evaluation/human/tasks/{task_id}/merge", taskPath(taskId))),
    onSuccess: (results) => {
      queryClient.setQueryData(humanKeys.results(results.task_id), results);
      void queryClient.invalidateQueries({ queryKey: humanKeys.task(results.task_id) });
      // the run's pages show the merged human_* scores
      void queryClient.invalidateQueries({ queryKey: ["evaluation"] });
    },
  });
}
