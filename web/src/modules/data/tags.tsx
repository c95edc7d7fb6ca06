/** Tags of a dataset's classification, in one look across the data pages. */
import { Tag } from "antd";
import { useTranslation } from "react-i18next";

import type { DataSchema, Sensitivity, Visibility } from "../../api/types";

const SENSITIVITY_COLORS: Record<Sensitivity, string> = {
  public: "green", internal: "blue", confidential: "orange", restricted: "red",
};

export function SensitivityTag({ value }: { value: Sensitivity }) {
  const { t } = useTranslation();
  return <Tag color={SENSITIVITY_COLORS[value]}>{t(`data.sensitivities.${value}`)}</Tag>;
}

export function VisibilityTag({ value }: { value: Visibility }) {
  const { t } = useTranslation();
  return <Tag>{t(`data.visibilities.${value}`)}</Tag>;
}

export function SchemaTag({ value }: { value: DataSchema }) {
  const { t } = useTranslation();
  return <Tag color="geekblue" data-testid="schema-tag">{t(`data.schemas.${value}`)}</Tag>;
}

export function OperationTag({ value }: { value: string }) {
  const { t } = useTranslation();
  const known = ["import", "clean", "augment", "split"].includes(value);
  const colors: Record<string, string> = { import: "blue", clean: "cyan", augment: "purple", split: "gold" };
  return (
    <Tag color={colors[value] ?? "default"}>
      {known ? t(`data.operations.${value as "import" | "clean" | "augment" | "split"}`) : value}
    </Tag>
  );
}
