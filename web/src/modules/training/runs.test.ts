import { describe, expect, it } from "vitest";

import type { Job } from "../../api/types";
import { baseName, datasetOf, finalLoss, runAlerts, systemGroups, trainingGroups } from "./runs";

const alert = (code: string, severity: string, step: number) => ({
  code, severity, step, title_en: `${code} title`, title_zh: `${code} 标题`, advice_en: "do x", advice_zh: "做 x",
  stop_recommended: false,
});

describe("runAlerts", () => {
  it("reads the alerts of a job's result, most severe first, skipping malformed entries", () => {
    const alerts = runAlerts({ alerts: [alert("loss_spikes", "info", 30), alert("divergence", "critical", 12),
                                        { code: "broken" }, alert("odd", "fatal", 1)] });
    expect(alerts.map((a) => a.code)).toEqual(["divergence", "loss_spikes"]);
  });

  it("is empty for a result without alerts", () => {
    expect(runAlerts({})).toEqual([]);
    expect(runAlerts({ alerts: "none" })).toEqual([]);
  });
});

describe("run facts", () => {
  const job = { params: { base_model: "/home/u/models/SmolLM2-135M-Instruct/", dataset_id: 3, number: 2 },
                result: {} } as unknown as Job;

  it("names the base by its folder and the data by id, version and split", () => {
    expect(baseName(job.params)).toBe("SmolLM2-135M-Instruct");
    expect(baseName({ base_model: "smollm2:1" })).toBe("smollm2:1");
    expect(datasetOf(job.params)).toEqual({ id: 3, number: 2, split: null });
    expect(datasetOf({})).toBeNull();
  });

  it("takes the trainer's final loss, else the last logged loss", () => {
    expect(finalLoss({ ...job, result: { train_loss: 1.25 } })).toBe(1.25);
    expect(finalLoss(job, { loss: [{ step: 1, value: 2 }, { step: 2, value: 1.5 }] })).toBe(1.5);
    expect(finalLoss(job)).toBeNull();
  });
});

describe("chart groups", () => {
  const series = { loss: [], eval_loss: [], grad_norm: [], learning_rate: [], system_cpu_percent: [], system_rss_gb: [] };

  it("puts loss and eval loss on one chart and the system load apart", () => {
    expect(trainingGroups(series, { loss: "Loss" })).toEqual([
      { title: "Loss", metrics: ["loss", "eval_loss"] },
      { title: "grad_norm", metrics: ["grad_norm"] },
      { title: "learning_rate", metrics: ["learning_rate"] },
    ]);
    expect(systemGroups(series).map((group) => group.title)).toEqual(["cpu_percent", "rss_gb"]);
  });
});
