/** Tags for a version's lifecycle state and kind, in one look across the registry pages. */
import { Tag } from "antd";
import { useTranslation } from "react-i18next";

import type { ModelKind, ModelState } from "./types";

const STATE_COLORS: Record<ModelState, string> = {
  registered: "default", training: "processing", trained: "cyan", evaluating: "processing", evaluated: "geekblue",
  approved: "success", rejected: "error", deployed: "purple", retired: "default",
};

const KIND_COLORS: Record<ModelKind, string> = { base: "blue", adapter: "gold", merged: "green", quantized: "magenta" };

export function StateTag({ state }: { state: ModelState }) {
  const { t } = useTranslation();
  return <Tag color={STATE_COLORS[state]} data-testid="model-state">{t(`models.states.${state}`)}</Tag>;
}

export function KindTag({ kind }: { kind: ModelKind }) {
  const { t } = useTranslation();
  return <Tag color={KIND_COLORS[kind]}>{t(`models.kinds.${kind}`)}</Tag>;
}
