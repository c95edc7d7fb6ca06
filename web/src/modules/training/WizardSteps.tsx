/**
 * The first three steps of the fine-tune wizard as form sections: base model (a registered
 * version or a server folder), data (dataset, version, split), recipe and method. They share one
 * antd form, which keeps the values of steps that are not shown.
 */
import { Alert, Form, Input, Radio, Select } from "antd";
import { useTranslation } from "react-i18next";

import { useDatasets, useVersions } from "../data/api";
import { useChatModels, useModelVersions } from "./api";
import { METHODS, RECIPES, type Method, type Recipe } from "./types";

export type BaseSource = "registered" | "path";

export interface WizardValues {
  baseSource: BaseSource;
  modelId?: number;
  modelVersion?: number;
  basePath?: string;
  datasetId?: number;
  datasetNumber?: number;
  /** "" trains on the whole version. */
  split: string;
  recipe: Recipe;
  method: Method;
  outputModel?: string;
}

export const WIZARD_DEFAULTS: Partial<WizardValues> = {
  baseSource: "registered", split: "", recipe: "sft", method: "lora",
};

/** The form fields each step validates before the next one opens. */
export const STEP_FIELDS: (keyof WizardValues)[][] = [
  ["baseSource", "modelId", "modelVersion", "basePath"],
  ["datasetId", "datasetNumber", "split"],
  ["recipe", "method", "outputModel"],
];

export function BaseModelStep() {
  const { t } = useTranslation();
  const form = Form.useFormInstance<WizardValues>();
  const source = Form.useWatch("baseSource", form);
  const modelId = Form.useWatch("modelId", form);
  const models = useChatModels();
  const versions = useModelVersions(modelId);
  const noModels = models.isSuccess && models.data.items.length === 0;
  return (
    <>
      <Form.Item name="baseSource" label={t("training.wizard.baseSource")}>
        <Radio.Group optionType="button" options={[
          { value: "registered", label: t("training.wizard.registered") },
          { value: "path", label: t("training.wizard.serverPath") },
        ]} />
      </Form.Item>
      {source === "path" ? (
        <Form.Item name="basePath" label={t("training.wizard.path")} extra={t("training.wizard.pathHelp")}
                   rules={[{ required: true, whitespace: true, message: t("training.wizard.pathRequired") }]}>
          <Input placeholder="/srv/models/my-model" data-testid="base-path" />
        </Form.Item>
      ) : (
        <>
          {noModels && <Alert type="info" showIcon title={t("training.wizard.noChatModels")} style={{ marginBottom: 16 }} />}
          <Form.Item name="modelId" label={t("training.wizard.model")}
                     rules={[{ required: true, message: t("training.wizard.modelRequired") }]}>
            <Select
              showSearch optionFilterProp="label" loading={models.isPending} data-testid="base-model"
              options={(models.data?.items ?? []).map((model) => ({ value: model.id, label: model.name }))}
              onChange={() => form.setFieldValue("modelVersion", undefined)}
            />
          </Form.Item>
          <Form.Item name="modelVersion" label={t("training.wizard.modelVersion")}
                     rules={[{ required: true, message: t("training.wizard.modelVersionRequired") }]}>
            <Select
              loading={versions.isFetching} disabled={modelId === undefined} data-testid="base-version"
              options={(versions.data ?? []).filter((version) => version.kind !== "adapter").map((version) => ({
                value: version.number,
                label: t("training.wizard.modelVersionOption", { number: version.number, kind: version.kind,
                                                                 state: version.state, format: version.format }),
              }))}
            />
          </Form.Item>
        </>
      )}
    </>
  );
}

export function DataStep() {
  const { t } = useTranslation();
  const form = Form.useFormInstance<WizardValues>();
  const datasetId = Form.useWatch("datasetId", form);
  const number = Form.useWatch("datasetNumber", form);
  const datasets = useDatasets({ page: 1, pageSize: 100 });
  const versions = useVersions(datasetId ?? 0, datasetId !== undefined);
  const chosen = versions.data?.find((version) => version.number === number);
  const splits = Object.entries(chosen?.splits ?? {});
  return (
    <>
      <Form.Item name="datasetId" label={t("training.wizard.dataset")}
                 rules={[{ required: true, message: t("training.wizard.datasetRequired") }]}>
        <Select
          showSearch optionFilterProp="label" loading={datasets.isPending} data-testid="dataset"
          options={(datasets.data?.items ?? []).map((dataset) => ({ value: dataset.id, label: dataset.name }))}
          onChange={() => form.setFieldsValue({ datasetNumber: undefined, split: "" })}
        />
      </Form.Item>
      <Form.Item name="datasetNumber" label={t("training.wizard.datasetVersion")}
                 rules={[{ required: true, message: t("training.wizard.datasetVersionRequired") }]}>
        <Select
          loading={versions.isFetching} disabled={datasetId === undefined} data-testid="dataset-version"
          options={(versions.data ?? []).map((version) => ({
            value: version.number,
            label: t("training.wizard.datasetVersionOption", { number: version.number, rows: version.row_count,
                                                               schema: version.data_schema }),
          }))}
          onChange={() => form.setFieldValue("split", "")}
        />
      </Form.Item>
      <Form.Item name="split" label={t("training.wizard.split")} extra={t("training.wizard.splitHelp")}>
        <Select data-testid="dataset-split" disabled={splits.length === 0} options={[
          { value: "", label: t("training.wizard.splitDefault") },
          ...splits.map(([name, rows]) => ({ value: name, label: t("training.wizard.splitOption", { name, rows }) })),
        ]} />
      </Form.Item>
    </>
  );
}

export function RecipeStep() {
  const { t } = useTranslation();
  return (
    <>
      <Form.Item name="recipe" label={t("training.wizard.recipe")} extra={t("training.wizard.recipeHelp")}>
        <Radio.Group options={RECIPES.map((recipe) => ({ value: recipe, label: t(`training.recipes.${recipe}`) }))}
                     data-testid="recipe" />
      </Form.Item>
      <Form.Item name="method" label={t("training.wizard.method")}>
        <Radio.Group options={METHODS.map((method) => ({ value: method, label: t(`training.methods.${method}`) }))}
                     data-testid="method" />
      </Form.Item>
      <Form.Item name="outputModel" label={t("training.wizard.outputModel")} extra={t("training.wizard.outputModelHelp")}>
        <Input maxLength={200} />
      </Form.Item>
    </>
  );
}
