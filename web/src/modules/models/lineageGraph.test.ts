import { describe, expect, it } from "vitest";

import { formatParameters } from "./format";
import { buildLineageGraph, type LineageLabels } from "./lineageGraph";
import type { Lineage, ModelVersion, VersionLink } from "./types";

const LABELS: LineageLabels = {
  job: (job) => `job #${job.id}`,
  dataset: (dataset) => `dataset #${dataset.dataset_id} v${dataset.number}`,
};

function link(id: number, modelId: number, number: number, name: string, kind: VersionLink["kind"] = "base"): VersionLink {
  return { id, model_id: modelId, number, reference: `${name}:${number}`, kind, state: "approved" };
}

// Only the fields the graph reads matter; the rest keep the type honest.
function version(id: number, modelId: number, number: number, name: string): ModelVersion {
  return {
    id, model_id: modelId, number, reference: `${name}:${number}`, kind: "adapter", state: "trained",
    base_version_id: null, parent_id: null, path: "/x", uri: null, storage: "copy", format: "peft",
    train_framework: "peft", inference_framework: "transformers", size_bytes: 1, parameter_count: 1,
    context_length: null, has_chat_template: false, license: "", architecture: null, dtype: null, description: "",
    tags: [], details: {}, source: {}, job_id: null, aliases: [], created_at: "", updated_at: "", created_by: null,
    version: 1,
  };
}

const NONE: Lineage = { base: null, parent: null, children: [], job: null, dataset: null };

describe("buildLineageGraph", () => {
  it("draws data → job → version ← base, and the versions made from it", () => {
    const tuned = version(10, 2, 1, "tuned");
    const graph = buildLineageGraph(tuned, {
      base: link(3, 1, 1, "base"), parent: null, job: { id: 42, kind: "training.sft", name: "SFT", state: "succeeded" },
      dataset: { dataset_id: 7, number: 3 }, children: [link(11, 4, 1, "merged", "merged")],
    }, LABELS);

    expect(graph.links).toEqual([
      { source: "version-3", target: "version-10", relation: "base" },
      { source: "job-42", target: "version-10", relation: "produced" },
      { source: "dataset-7-3", target: "job-42", relation: "data" },
      { source: "version-10", target: "version-11", relation: "derived" },
    ]);
    const byId = Object.fromEntries(graph.nodes.map((node) => [node.id, node]));
    expect(byId["dataset-7-3"]).toMatchObject({ kind: "dataset", label: "dataset #7 v3", href: "/data/7?tab=versions&version=3" });
    expect(byId["job-42"]).toMatchObject({ kind: "job", label: "job #42", href: "/jobs/42" });
    expect(byId["version-3"]).toMatchObject({ kind: "version", label: "base:1", href: "/models/1/versions/1" });
    expect(byId["version-10"]).toMatchObject({ kind: "current", label: "tuned:1", href: "/models/2/versions/1" });
    expect(byId["version-11"]).toMatchObject({ kind: "version", href: "/models/4/versions/1" });
    // Left to right: data, what it came from, the version, what came from it.
    const x = (id: string) => byId[id]?.x ?? NaN;
    expect(x("dataset-7-3")).toBeLessThan(x("job-42"));
    expect(x("job-42")).toBe(x("version-3"));
    expect(x("version-3")).toBeLessThan(x("version-10"));
    expect(x("version-10")).toBeLessThan(x("version-11"));
    expect(byId["version-10"]?.y).toBe(0);
  });

  it("links training data straight to the version when no job is known, and draws a base that is also the parent once", () => {
    const merged = version(20, 5, 2, "merged");
    const base = link(3, 1, 1, "base");
    const graph = buildLineageGraph(merged, { ...NONE, base, parent: base, dataset: { dataset_id: 1, number: 1 } }, LABELS);
    expect(graph.nodes.filter((node) => node.id === "version-3")).toHaveLength(1);
    expect(graph.links).toContainEqual({ source: "dataset-1-1", target: "version-20", relation: "data" });
    expect(graph.links.filter((item) => item.source === "version-3").map((item) => item.relation)).toEqual(["base", "parent"]);
  });

  it("is a single node for a version imported on its own", () => {
    const graph = buildLineageGraph(version(1, 1, 1, "alone"), NONE, LABELS);
    expect(graph.nodes).toEqual([{ id: "version-1", kind: "current", label: "alone:1", href: "/models/1/versions/1", x: 0, y: 0 }]);
    expect(graph.links).toEqual([]);
  });
});

describe("formatParameters", () => {
  it("uses K, M, B with three significant digits", () => {
    expect(formatParameters(134_515_008)).toBe("135M");
    expect(formatParameters(98_304)).toBe("98.3K");
    expect(formatParameters(1_543_714_304)).toBe("1.54B");
    expect(formatParameters(512)).toBe("512");
    expect(formatParameters(null)).toBe("—");
  });
});
