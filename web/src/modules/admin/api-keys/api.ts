import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";

export const apiKeyKeys = {
  all: ["api-keys"] as const,
  list: (page: number, pageSize: number) => ["api-keys", "list", page, pageSize] as const,
};

export function useApiKeys(page: number, pageSize: number) {
  return useQuery({
    queryKey: apiKeyKeys.list(page, pageSize),
    queryFn: () => unwrap(api.GET("/api/api-keys", { params: { query: { page, page_size: pageSize } } })),
    placeholderData: keepPreviousData,
  });
}

export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; expires_at: string | null }) => unwrap(api.POST("/api/api-keys", { body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}

export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE("/api/api-keys/{key_id}", { params: { path: { key_id: id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: apiKeyKeys.all }),
  });
}
