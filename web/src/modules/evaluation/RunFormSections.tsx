/**
 * Sections of the new-evaluation form: the model versions and baseline, the task (dataset,
 * version, split, prompt, metrics), the general suite, and generation settings. Field names
 * follow the request body, so the server's errors land on the right field.
 */
import { Alert, Card, Checkbox, Col, Form, Input, InputNumber, Radio, Row, Select, Switch, Typography } from "antd";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";

import { useDatasets, useVersions } from "../data/api";
import { useRegisteredModels, useVersionsOf } from "./api";
import type { RunFormValues } from "./request";
import { useScoreName } from "./ScoreName";
import { DIMENSIONS, TASK_METRICS, TASK_SPLITS } from "./types";

const MAX_MODELS = 8;

export function ModelsSection() {
  const { t } = useTranslation();
  const form = Form.useFormInstance<RunFormValues>();
  const chosen = Form.useWatch("models", form) ?? [];
  const models = useRegisteredModels();
  const items = models.data?.items ?? [];
  const versions = useVersionsOf(useMemo(() => items.map((model) => model.id), [items]));
  const options = versions.flatMap((query) => (query.data ?? []).map((version) => ({
    value: version.reference,
    label: t("evaluation.form.versionOption", { reference: version.reference, kind: t(`models.kinds.${version.kind}`),
                                                state: t(`models.states.${version.state}`) }),
  })));
  return (
    <Card size="small" title={t("evaluation.form.basics")}>
      {models.isSuccess && items.length === 0 && (
        <Alert type="info" showIcon title={t("evaluation.form.noModels")} style={{ marginBottom: 16 }} />
      )}
      <Form.Item name="name" label={t("evaluation.form.name")}>
        <Input maxLength={200} placeholder={t("evaluation.form.namePlaceholder")} />
      </Form.Item>
      <Form.Item name="models" label={t("evaluation.form.models")} extra={t("evaluation.form.modelsHelp")}
                 rules={[{ required: true, type: "array", min: 1, message: t("evaluation.form.modelsRequired") },
                         { type: "array", max: MAX_MODELS, message: t("evaluation.form.modelsTooMany") }]}>
        <Select mode="multiple" showSearch optionFilterProp="label" options={options} data-testid="eval-models"
                loading={models.isPending || versions.some((query) => query.isPending)}
                onChange={(next: string[]) => {
                  if (!next.includes(form.getFieldValue("baseline"))) form.setFieldValue("baseline", undefined);
                }} />
      </Form.Item>
      <Form.Item name="baseline" label={t("evaluation.form.baseline")} extra={t("evaluation.form.baselineHelp")}>
        <Select allowClear placeholder={t("evaluation.form.baselineAuto")} data-testid="eval-baseline"
                options={chosen.map((reference) => ({ value: reference, label: reference }))} />
      </Form.Item>
    </Card>
  );
}

export function TaskSection() {
  const { t } = useTranslation();
  const form = Form.useFormInstance<RunFormValues>();
  const enabled = Form.useWatch("withTask", form);
  const datasetId = Form.useWatch(["task", "dataset_id"], form);
  const number = Form.useWatch(["task", "number"], form);
  const datasets = useDatasets({ page: 1, pageSize: 100 });
  const versions = useVersions(datasetId ?? 0, datasetId !== undefined);
  const splits = versions.data?.find((version) => version.number === number)?.splits ?? {};
  return (
    <Card size="small" title={t("evaluation.form.withTask")} extra={
      <Form.Item name="withTask" valuePropName="checked" noStyle><Switch data-testid="eval-with-task" /></Form.Item>
    }>
      <Typography.Paragraph type="secondary">{t("evaluation.form.withTaskHelp")}</Typography.Paragraph>
      {enabled && (
        <>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name={["task", "dataset_id"]} label={t("evaluation.form.dataset")}
                         rules={[{ required: true, message: t("evaluation.form.datasetRequired") }]}>
                <Select showSearch optionFilterProp="label" loading={datasets.isPending} data-testid="eval-dataset"
                        options={(datasets.data?.items ?? []).map((dataset) => ({ value: dataset.id, label: dataset.name }))}
                        onChange={() => form.setFieldValue("task", { ...form.getFieldValue("task"), number: undefined,
                                                                      split: "" })} />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name={["task", "number"]} label={t("evaluation.form.datasetVersion")}
                         rules={[{ required: true, message: t("evaluation.form.datasetVersionRequired") }]}>
                <Select loading={versions.isFetching} disabled={datasetId === undefined} data-testid="eval-dataset-version"
                        options={(versions.data ?? []).map((version) => ({
                          value: version.number,
                          label: t("evaluation.form.datasetVersionOption", { number: version.number,
                                                                            rows: version.row_count,
                                                                            schema: version.data_schema }),
                        }))} />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name={["task", "split"]} label={t("evaluation.form.split")}>
                <Select data-testid="eval-split" options={[
                  { value: "", label: t("evaluation.form.splitDefault") },
                  ...TASK_SPLITS.filter((name) => name in splits).map((name) => ({
                    value: name, label: t("evaluation.form.splitOption", { name, rows: splits[name] }),
                  })),
                ]} />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name={["task", "prompt_template"]} label={t("evaluation.form.promptTemplate")}
                     extra={t("evaluation.form.promptTemplateHelp")}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} data-testid="eval-prompt-template" />
          </Form.Item>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name={["task", "metrics"]} label={t("evaluation.form.metrics")} extra={t("evaluation.form.metricsHelp")}>
                <Select mode="multiple" data-testid="eval-metrics"
                        options={TASK_METRICS.map((name) => ({ value: name, label: name }))} />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name={["task", "limit"]} label={t("evaluation.form.limit")}>
                <InputNumber min={1} precision={0} style={{ width: "100%" }} />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name={["task", "chinese"]} label={t("evaluation.form.chinese")}>
                <Radio.Group optionType="button" options={[
                  { value: "jieba", label: t("evaluation.form.chineseJieba") },
                  { value: "char", label: t("evaluation.form.chineseChar") },
                ]} />
              </Form.Item>
            </Col>
          </Row>
        </>
      )}
    </Card>
  );
}

export function SuiteSection() {
  const { t } = useTranslation();
  const form = Form.useFormInstance<RunFormValues>();
  const enabled = Form.useWatch("withSuite", form);
  const scoreName = useScoreName();
  return (
    <Card size="small" title={t("evaluation.form.withSuite")} extra={
      <Form.Item name="withSuite" valuePropName="checked" noStyle><Switch data-testid="eval-with-suite" /></Form.Item>
    }>
      <Typography.Paragraph type="secondary">{t("evaluation.form.withSuiteHelp")}</Typography.Paragraph>
      {enabled && (
        <>
          <Form.Item name={["suite", "dimensions"]} label={t("evaluation.form.suiteDimensions")}
                     rules={[{ required: true, type: "array", min: 1, message: t("evaluation.form.dimensionsRequired") }]}>
            <Checkbox.Group options={DIMENSIONS.map((name) => ({ value: name, label: scoreName(name) }))}
                            data-testid="eval-dimensions" />
          </Form.Item>
          <Row gutter={16}>
            <Col xs={12} md={6}>
              <Form.Item name={["suite", "per_dimension"]} label={t("evaluation.form.perDimension")}>
                <InputNumber min={1} max={1000} precision={0} style={{ width: "100%" }} data-testid="eval-per-dimension" />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name={["suite", "seed"]} label={t("evaluation.form.seed")}>
                <InputNumber precision={0} style={{ width: "100%" }} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name={["suite", "judge_model"]} label={t("evaluation.form.judgeModel")}
                         extra={t("evaluation.form.judgeModelHelp")}>
                <Input data-testid="eval-judge-model" />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name={["suite", "benchmark_files"]} label={t("evaluation.form.benchmarkFiles")}
                     extra={t("evaluation.form.benchmarkFilesHelp")}>
            <Select mode="tags" open={false} suffixIcon={null} placeholder="/srv/benchmarks/cmmlu_law.csv" />
          </Form.Item>
        </>
      )}
    </Card>
  );
}

export function GenerationSection() {
  const { t } = useTranslation();
  return (
    <Card size="small" title={t("evaluation.form.generation")}>
      <Row gutter={16}>
        <Col xs={12} md={8}>
          <Form.Item name={["generation", "max_new_tokens"]} label={t("evaluation.form.maxNewTokens")}>
            <InputNumber min={1} max={8192} precision={0} style={{ width: "100%" }} data-testid="eval-max-new-tokens" />
          </Form.Item>
        </Col>
        <Col xs={12} md={8}>
          <Form.Item name={["generation", "temperature"]} label={t("evaluation.form.temperature")}
                     extra={t("evaluation.form.temperatureHelp")}>
            <InputNumber min={0} max={2} step={0.1} style={{ width: "100%" }} />
          </Form.Item>
        </Col>
        <Col xs={12} md={8}>
          <Form.Item name={["generation", "top_p"]} label={t("evaluation.form.topP")}>
            <InputNumber min={0.01} max={1} step={0.05} style={{ width: "100%" }} />
          </Form.Item>
        </Col>
      </Row>
    </Card>
  );
}
