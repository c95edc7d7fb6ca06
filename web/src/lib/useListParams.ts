/**
 * List pages keep their filters and page in the URL, so a filtered view can be linked,
 * bookmarked and restored with Back. Changing a filter returns to page 1.
 */
import { useCallback } from "react";
import { useSearchParams } from "react-router";

export const DEFAULT_PAGE_SIZE = 20;

export interface ListParams {
  page: number;
  pageSize: number;
  get: (name: string) => string | undefined;
  /** Set filters (undefined or "" removes one) and go back to page 1. */
  setFilters: (filters: Record<string, string | undefined>) => void;
  setPage: (page: number, pageSize: number) => void;
}

function positiveInt(value: string | null, fallback: number): number {
  const parsed = value === null ? NaN : Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

export function useListParams(): ListParams {
  const [searchParams, setSearchParams] = useSearchParams();
  const page = positiveInt(searchParams.get("page"), 1);
  const pageSize = positiveInt(searchParams.get("size"), DEFAULT_PAGE_SIZE);

  const get = useCallback((name: string) => searchParams.get(name) || undefined, [searchParams]);

  const setFilters = useCallback((filters: Record<string, string | undefined>) => {
    setSearchParams((current) => {
      const next = new URLSearchParams(current);
      for (const [name, value] of Object.entries(filters)) {
        if (value === undefined || value === "") next.delete(name);
        else next.set(name, value);
      }
      next.delete("page");
      return next;
    }, { replace: true });
  }, [setSearchParams]);

  const setPage = useCallback((nextPage: number, nextSize: number) => {
    setSearchParams((current) => {
      const next = new URLSearchParams(current);
      if (nextPage > 1) next.set("page", String(nextPage)); else next.delete("page");
      if (nextSize !== DEFAULT_PAGE_SIZE) next.set("size", String(nextSize)); else next.delete("size");
      return next;
    });
  }, [setSearchParams]);

  return { page, pageSize, get, setFilters, setPage };
}
