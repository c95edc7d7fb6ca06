/** Queries and mutations of users and departments. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../../../api/client";
import type { Role, UserCreate, UserUpdate } from "../../../api/types";

export interface UserFilters {
  q?: string;
  role?: Role;
  isActive?: boolean;
  page: number;
  pageSize: number;
}

export const userKeys = {
  all: ["users"] as const,
  list: (filters: UserFilters) => ["users", "list", filters] as const,
  departments: ["departments"] as const,
};

export function useUsers(filters: UserFilters) {
  return useQuery({
    queryKey: userKeys.list(filters),
    queryFn: () => unwrap(api.GET("/api/users", {
      params: { query: { page: filters.page, page_size: filters.pageSize, sort: "username", q: filters.q || undefined,
                         role: filters.role, is_active: filters.isActive } },
    })),
    placeholderData: keepPreviousData,
  });
}

/** Departments for pickers; a team has tens, not thousands, so one large page holds them. */
export function useDepartments() {
  return useQuery({
    queryKey: userKeys.departments,
    queryFn: () => unwrap(api.GET("/api/departments", { params: { query: { page_size: 200, sort: "name" } } })),
    staleTime: 60_000,
  });
}

function useInvalidateUsers() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: userKeys.all });
}

export function useCreateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (body: UserCreate) => unwrap(api.POST("/api/users", { body })),
    onSuccess: () => void invalidate(),
  });
}

export function useUpdateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: UserUpdate }) =>
      unwrap(api.PATCH("/api/users/{user_id}", { params: { path: { user_id: id } }, body })),
    // A 409 (stale version) also refreshes the list, so the next try starts from current data.
    onSettled: () => void invalidate(),
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: ({ id, password }: { id: number; password: string }) =>
      unwrap(api.POST("/api/users/{user_id}/password", { params: { path: { user_id: id } }, body: { password } })),
  });
}
