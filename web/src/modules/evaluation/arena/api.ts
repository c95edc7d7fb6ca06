/** Queries and mutations of the arena (`/api/evaluation/arena`): served models, prompt sets, battles, votes, ratings. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import type { BattleCreate, PromptSetCreate, VoteOutcome } from "./types";

export const arenaKeys = {
  models: ["arena", "models"] as const,
  promptSets: ["arena", "prompt-sets"] as const,
  leaderboard: ["arena", "leaderboard"] as const,
};

export function useArenaModels() {
  return useQuery({ queryKey: arenaKeys.models, queryFn: () => unwrap(api.GET("/api/evaluation/arena/models")),
                    refetchInterval: 30_000 });
}

export function usePromptSets() {
  return useQuery({ queryKey: arenaKeys.promptSets,
                    queryFn: () => unwrap(api.GET("/api/evaluation/arena/prompt-sets")) });
}

export function useCreatePromptSet() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: PromptSetCreate) => unwrap(api.POST("/api/evaluation/arena/prompt-sets", { body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: arenaKeys.promptSets }),
  });
}

export function useStartBattle() {
  return useMutation({
    mutationFn: (body: BattleCreate) => unwrap(api.POST("/api/evaluation/arena/battles", { body })),
  });
}

export function useVote() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, outcome }: { id: number; outcome: VoteOutcome }) =>
      unwrap(api.POST("/api/evaluation/arena/battles/{battle_id}/vote", {
        params: { path: { battle_id: id } }, body: { outcome },
      })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: arenaKeys.leaderboard }),
  });
}

export function useLeaderboard() {
  return useQuery({ queryKey: arenaKeys.leaderboard,
                    queryFn: () => unwrap(api.GET("/api/evaluation/arena/leaderboard")), refetchInterval: 30_000 });
}
