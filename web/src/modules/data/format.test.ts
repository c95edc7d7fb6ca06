import { describe, expect, it } from "vitest";

import { formatBytes, formatCount, formatDiff, formatPercent, formatSplits } from "./format";
import { lineage } from "./lineage";
import type { DatasetVersion } from "../../api/types";

describe("formatDiff", () => {
  it("shows added, removed and changed rows, leaving zeros out", () => {
    expect(formatDiff({ added: 12, removed: 3, changed: 5 })).toBe("+12 −3 ~5");
    expect(formatDiff({ added: 0, removed: 1, changed: 0 })).toBe("−1");
    expect(formatDiff({ added: 1234567 })).toBe("+1,234,567");
  });

  it("says ±0 for an unchanged version and nothing without a diff", () => {
    expect(formatDiff({ added: 0, removed: 0, changed: 0 })).toBe("±0");
    expect(formatDiff({})).toBe("±0");
    expect(formatDiff(null)).toBe("");
  });
});

describe("number formats", () => {
  it("formats sizes in binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(50 * 1024 * 1024)).toBe("50 MiB");
    expect(formatBytes(undefined)).toBe("—");
  });

  it("formats counts, percentages and splits", () => {
    expect(formatCount(12345)).toBe("12,345");
    expect(formatCount(null)).toBe("—");
    expect(formatPercent(0.1234)).toBe("12.3%");
    expect(formatSplits({ train: 800, dev: 100, test: 100 })).toBe("800 / 100 / 100");
    expect(formatSplits(null)).toBe("");
  });
});

function version(id: number, number: number, parentId: number | null, operation: string): DatasetVersion {
  return {
    id, number, parent_id: parentId, operation, dataset_id: 1, params: {}, data_schema: "chat", source: {},
    row_count: 10, size_bytes: 100, sha256: "", diff: {}, splits: null, stats: {}, job_id: null,
    created_at: "2025-01-01T00:00:00Z", updated_at: "2025-01-01T00:00:00Z", created_by: 1, version: 1,
  } as DatasetVersion;
}

describe("lineage", () => {
  it("keeps a straight line flat and indents a branch off an older version", () => {
    const versions = [
      version(14, 4, 12, "augment"), version(13, 3, 12, "split"), version(12, 2, 11, "clean"), version(11, 1, null, "import"),
    ];
    expect(lineage(versions).map((node) => [node.version.number, node.parentNumber, node.depth])).toEqual([
      [1, null, 0], [2, 1, 0], [3, 2, 0], [4, 2, 1],
    ]);
  });
});
