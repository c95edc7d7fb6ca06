/**
 * The lineage graph of one version, as nodes with fixed positions and links: training data →
 * job → this version, base and parent → this version, this version → versions made from it.
 * Pure, so the shape is unit-tested; `LineageGraph.tsx` draws it with ECharts.
 */
import type { Lineage, ModelVersion, VersionLink } from "./types";

export type LineageNodeKind = "current" | "version" | "job" | "dataset";
export type LineageRelation = "base" | "parent" | "produced" | "data" | "derived";

export interface LineageNode {
  id: string;
  kind: LineageNodeKind;
  label: string;
  /** The console page the node opens. */
  href: string;
  x: number;
  y: number;
}

export interface LineageLink {
  source: string;
  target: string;
  relation: LineageRelation;
}

export interface LineageGraphData {
  nodes: LineageNode[];
  links: LineageLink[];
}

/** How job and dataset nodes are named (the caller translates). */
export interface LineageLabels {
  job: (job: NonNullable<Lineage["job"]>) => string;
  dataset: (dataset: NonNullable<Lineage["dataset"]>) => string;
}

const COLUMN_WIDTH = 240;
const ROW_HEIGHT = 90;

export function versionHref(version: Pick<VersionLink, "model_id" | "number">): string {
  return `/models/${version.model_id}/versions/${version.number}`;
}

function column(nodes: Omit<LineageNode, "x" | "y">[], x: number): LineageNode[] {
  // Centred on the current version's row (y = 0).
  const top = -((nodes.length - 1) * ROW_HEIGHT) / 2;
  return nodes.map((node, index) => ({ ...node, x: x * COLUMN_WIDTH, y: top + index * ROW_HEIGHT }));
}

export function buildLineageGraph(version: ModelVersion, lineage: Lineage, labels: LineageLabels): LineageGraphData {
  const current = `version-${version.id}`;
  const links: LineageLink[] = [];
  const sources: Omit<LineageNode, "x" | "y">[] = [];
  const data: Omit<LineageNode, "x" | "y">[] = [];
  const seen = new Set<string>([current]);

  const addVersion = (link: VersionLink, into: Omit<LineageNode, "x" | "y">[]): string => {
    const id = `version-${link.id}`;
    if (!seen.has(id)) {
      seen.add(id);
      into.push({ id, kind: "version", label: link.reference, href: versionHref(link) });
    }
    return id;
  };

  if (lineage.base) links.push({ source: addVersion(lineage.base, sources), target: current, relation: "base" });
  if (lineage.parent) links.push({ source: addVersion(lineage.parent, sources), target: current, relation: "parent" });
  let dataTarget = current;
  if (lineage.job) {
    const id = `job-${lineage.job.id}`;
    sources.unshift({ id, kind: "job", label: labels.job(lineage.job), href: `/jobs/${lineage.job.id}` });
    links.push({ source: id, target: current, relation: "produced" });
    dataTarget = id;
  }
  if (lineage.dataset) {
    const { dataset_id: datasetId, number } = lineage.dataset;
    const id = `dataset-${datasetId}-${number}`;
    data.push({ id, kind: "dataset", label: labels.dataset(lineage.dataset),
                href: `/data/${datasetId}?tab=versions&version=${number}` });
    links.push({ source: id, target: dataTarget, relation: "data" });
  }
  const children: Omit<LineageNode, "x" | "y">[] = [];
  for (const child of lineage.children) {
    links.push({ source: current, target: addVersion(child, children), relation: "derived" });
  }

  // Columns left to right: data, what the version came from, the version, what came from it.
  const columns = [data, sources].filter((nodes) => nodes.length > 0);
  const nodes = columns.flatMap((nodes, index) => column(nodes, index));
  nodes.push(...column([{ id: current, kind: "current", label: version.reference, href: versionHref(version) }],
                       columns.length));
  nodes.push(...column(children, columns.length + 1));
  return { nodes, links };
}
