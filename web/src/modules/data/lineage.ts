/** The lineage of a dataset's versions: each with its parent's number and its depth in the tree. */
import type { DatasetVersion } from "../../api/types";

export interface LineageNode {
  version: DatasetVersion;
  parentNumber: number | null;
  /** 0 for a root (an import), parent's depth + 1 for a branch off an older version. */
  depth: number;
}

/**
 * Versions oldest first, in tree order (a child right after its parent's line). A version whose
 * parent is the version just before it stays at its parent's depth (a straight line reads as
 * one); only a branch off an older version is indented.
 */
export function lineage(versions: readonly DatasetVersion[]): LineageNode[] {
  const byId = new Map(versions.map((version) => [version.id, version]));
  const sorted = [...versions].sort((a, b) => a.number - b.number);
  const depth = new Map<number, number>();
  const nodes: LineageNode[] = [];
  let previous: DatasetVersion | undefined;
  for (const version of sorted) {
    const parent = version.parent_id === null ? undefined : byId.get(version.parent_id);
    let level = 0;
    if (parent) {
      const parentDepth = depth.get(parent.id) ?? 0;
      level = previous && parent.id === previous.id ? parentDepth : parentDepth + 1;
    }
    depth.set(version.id, level);
    nodes.push({ version, parentNumber: parent?.number ?? null, depth: level });
    previous = version;
  }
  return nodes;
}
