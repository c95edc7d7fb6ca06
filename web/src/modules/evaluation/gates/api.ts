/**
 * Queries and mutations of deploy gates (`/api/evaluation/gates`): the gates with their last
 * decision, the decisions (of one version when filtered), saving a gate's rules, previewing a
 * check and deciding one (which also changes the version in the model registry).
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import type { CheckRequest, GateRule } from "./types";

export interface DecisionFilter {
  modelId?: number;
  number?: number;
}

export const gateKeys = {
  gates: (page: number, pageSize: number) => ["gates", "list", page, pageSize] as const,
  decisions: (filter: DecisionFilter, page: number, pageSize: number) =>
    ["gates", "decisions", filter, page, pageSize] as const,
};

export function useGates(page: number, pageSize: number) {
  return useQuery({
    queryKey: gateKeys.gates(page, pageSize),
    queryFn: () => unwrap(api.GET("/api/evaluation/gates", { params: { query: { page, page_size: pageSize } } })),
    placeholderData: keepPreviousData,
  });
}

export function useDecisions(filter: DecisionFilter, page: number, pageSize: number) {
  return useQuery({
    queryKey: gateKeys.decisions(filter, page, pageSize),
    queryFn: () => unwrap(api.GET("/api/evaluation/gates/decisions", {
      params: { query: { page, page_size: pageSize, model_id: filter.modelId, number: filter.number } },
    })),
    placeholderData: keepPreviousData,
  });
}

export function useSaveGate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ modelId, ...body }: { modelId: number; rules: GateRule[]; description: string;
                                         version?: number }) =>
      unwrap(api.PUT("/api/evaluation/gates/{model_id}", { params: { path: { model_id: modelId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["gates", "list"] }),
  });
}

export function usePreviewCheck() {
  return useMutation({
    mutationFn: ({ modelId, ...body }: CheckRequest & { modelId: number }) =>
      unwrap(api.POST("/api/evaluation/gates/{model_id}/preview", { params: { path: { model_id: modelId } }, body })),
  });
}

export function useCheck() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ modelId, ...body }: CheckRequest & { modelId: number }) =>
      unwrap(api.POST("/api/evaluation/gates/{model_id}/check", { params: { path: { model_id: modelId } }, body })),
    // The decision changed the version's state: the registry's pages must not show the old one.
    onSuccess: () => Promise.all([
      queryClient.invalidateQueries({ queryKey: ["gates"] }),
      queryClient.invalidateQueries({ queryKey: ["models"] }),
    ]),
  });
}
