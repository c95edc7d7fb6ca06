/**
 * The "Advanced" part of the proposal step: checkpoint interval, merging the adapter, stopping on
 * a diagnosis, held-out evaluation with early stopping, and (GRPO) the reward functions; the
 * evaluation interval is the advisor's `eval_every` row, shown once there is an eval split. Closed
 * by default: the server's defaults fit a first run. Problems from a refused launch show on
 * their field, and open the part.
 */
import { Collapse, Form, InputNumber, Select, Switch } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { useVersions } from "../data/api";
import { type AdvancedSettings, canMerge, hasEvalLoss, type PlacedProblems } from "./advanced";
import { RewardsEditor } from "./RewardsEditor";
import type { Method, Recipe } from "./types";

interface Props {
  settings: AdvancedSettings;
  onChange: (settings: AdvancedSettings) => void;
  recipe: Recipe;
  method: Method;
  dataset: { id: number; number: number; split: string | null };
  problems: PlacedProblems;
  open: boolean;
  onOpen: (open: boolean) => void;
}

function Item({ label, extra, messages, children }: {
  label: string; extra: string; messages: string[] | undefined; children: ReactNode;
}) {
  return (
    <Form.Item label={label} extra={extra} validateStatus={messages?.length ? "error" : undefined}
               help={messages?.length ? messages.map((m) => <div key={m}>{m}</div>) : undefined}>
      {children}
    </Form.Item>
  );
}

export function AdvancedPanel({ settings, onChange, recipe, method, dataset, problems, open, onOpen }: Props) {
  const { t } = useTranslation();
  const versions = useVersions(dataset.id);
  const splits = Object.entries(versions.data?.find((version) => version.number === dataset.number)?.splits ?? {})
    .filter(([name]) => name !== (dataset.split ?? "train")); // a split version trains on "train" by default
  const set = (change: Partial<AdvancedSettings>) => onChange({ ...settings, ...change });
  const fields = problems.byField;
  const body = (
    <Form layout="vertical" component="div" style={{ maxWidth: 720 }}>
      <Item label={t("training.advanced.checkpointEvery")} extra={t("training.advanced.checkpointEveryHelp")}
            messages={fields.checkpoint_every}>
        <InputNumber min={1} precision={0} value={settings.checkpointEvery} data-testid="checkpoint-every"
                     onChange={(value) => set({ checkpointEvery: value ?? 50 })} />
      </Item>
      {canMerge(recipe, method) && (
        <Item label={t("training.advanced.merge")} extra={t("training.advanced.mergeHelp")} messages={fields.merge}>
          <Switch checked={settings.merge} onChange={(merge) => set({ merge })} data-testid="merge" />
        </Item>
      )}
      <Item label={t("training.advanced.autoStop")} extra={t("training.advanced.autoStopHelp")} messages={fields.auto_stop}>
        <Switch checked={settings.autoStop} onChange={(autoStop) => set({ autoStop })} data-testid="auto-stop" />
      </Item>
      {hasEvalLoss(recipe) && (
        <>
          <Item label={t("training.advanced.evalSplit")} extra={t("training.advanced.evalSplitHelp")}
                messages={fields.eval_split}>
            <Select value={settings.evalSplit ?? ""} style={{ maxWidth: 360 }} data-testid="eval-split"
                    disabled={splits.length === 0} onChange={(value: string) => set({ evalSplit: value || null })}
                    options={[
                      { value: "", label: t("training.advanced.evalSplitDefault") },
                      ...splits.map(([name, rows]) => ({
                        value: name, label: t("training.wizard.splitOption", { name, rows }),
                      })),
                    ]} />
          </Item>
          <Item label={t("training.advanced.patience")} extra={t("training.advanced.patienceHelp")}
                messages={fields.early_stopping_patience}>
            <InputNumber min={1} precision={0} value={settings.earlyStoppingPatience} style={{ width: 200 }}
                         placeholder={t("training.advanced.off")} data-testid="early-stopping-patience"
                         onChange={(value) => set({ earlyStoppingPatience: value })} />
          </Item>
        </>
      )}
      {recipe === "grpo" && (
        <RewardsEditor rewards={settings.rewards} onChange={(rewards) => set({ rewards })}
                       problems={problems.byReward} listProblems={fields.rewards ?? []} />
      )}
    </Form>
  );
  return (
    <Collapse activeKey={open ? ["advanced"] : []} onChange={(keys) => onOpen(keys.includes("advanced"))}
              data-testid="advanced"
              items={[{ key: "advanced", label: t("training.advanced.title"), children: body, forceRender: true }]} />
  );
}
