/**
 * What a training run's job holds, read for display: its diagnosis alerts (written into the
 * job's result by the trainer callback as they fire), final loss, base and data, and which
 * metric series belong on which chart.
 */
import type { MetricGroup } from "../../components/MetricCharts";
import type { Job, MetricPoint } from "../../api/types";

export type AlertSeverity = "info" | "warning" | "critical";

/** One diagnosis (`llmore.monitoring.diagnosis.Alert`) with its text in both languages. */
export interface RunAlert {
  code: string;
  severity: AlertSeverity;
  step: number;
  title_en: string;
  title_zh: string;
  advice_en: string;
  advice_zh: string;
  stop_recommended: boolean;
}

const SEVERITIES: ReadonlySet<string> = new Set(["info", "warning", "critical"]);
const SEVERITY_ORDER: Record<AlertSeverity, number> = { critical: 0, warning: 1, info: 2 };

function isAlert(value: unknown): value is RunAlert {
  if (typeof value !== "object" || value === null) return false;
  const alert = value as Record<string, unknown>;
  return typeof alert.code === "string" && typeof alert.severity === "string" && SEVERITIES.has(alert.severity)
    && typeof alert.step === "number" && ["title_en", "title_zh", "advice_en", "advice_zh"]
      .every((name) => typeof alert[name] === "string");
}

/** The run's alerts, most severe first; anything malformed in the result is left out. */
export function runAlerts(result: Job["result"]): RunAlert[] {
  const alerts = Array.isArray(result.alerts) ? result.alerts.filter(isAlert) : [];
  return [...alerts].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.step - b.step);
}

/** The loss to show in a list: the trainer's average (when finished), else the last logged point. */
export function finalLoss(job: Job, series?: Record<string, MetricPoint[]>): number | null {
  if (typeof job.result.train_loss === "number") return job.result.train_loss;
  const loss = series?.loss;
  return loss && loss.length > 0 ? loss[loss.length - 1]!.value : null;
}

/** The base model's short name: a registry reference as is, a folder by its last part. */
export function baseName(params: Job["params"]): string {
  const base = typeof params.base_model === "string" ? params.base_model : "";
  return base.replace(/[\\/]+$/, "").split(/[\\/]/).pop() ?? base;
}

/** "dataset 3 v2 (train)" parts of a run's parameters, or null when they are missing. */
export function datasetOf(params: Job["params"]): { id: number; number: number; split: string | null } | null {
  const { dataset_id: id, number, split } = params;
  if (typeof id !== "number" || typeof number !== "number") return null;
  return { id, number, split: typeof split === "string" ? split : null };
}

/** Charts of a run: training curves first (loss with eval loss), then everything else by name. */
export function trainingGroups(series: Record<string, MetricPoint[]>, titles: { loss: string }): MetricGroup[] {
  const names = Object.keys(series).filter((name) => !name.startsWith("system_")).sort();
  const rest = names.filter((name) => name !== "loss" && name !== "eval_loss");
  return [{ title: titles.loss, metrics: ["loss", "eval_loss"] }, ...rest.map((name) => ({ title: name, metrics: [name] }))];
}

/** System load series (CPU, memory, GPU), one chart each. */
export function systemGroups(series: Record<string, MetricPoint[]>): MetricGroup[] {
  return Object.keys(series).filter((name) => name.startsWith("system_")).sort()
    .map((name) => ({ title: name.replace(/^system_/, ""), metrics: [name] }));
}
