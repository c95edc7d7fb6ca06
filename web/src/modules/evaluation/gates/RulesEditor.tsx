/**
 * The rules of one model's gate in a form: each rule a metric bound, a dimension minimum or the
 * largest drop allowed against the run's baseline. Creating a gate first picks its model.
 */
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { App, AutoComplete, Button, Flex, Form, Input, InputNumber, Modal, Select, Typography } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";

import { useServerFormErrors } from "../../../lib/forms";
import { useRegisteredModels } from "../api";
import { useScoreName } from "../ScoreName";
import { DIMENSIONS, TASK_METRICS } from "../types";
import { useSaveGate } from "./api";
import { given, type RuleKind, type RuleRow, rowsFromRules, rulesFromRows, SUMMARY_SCORES } from "./rules";
import type { Gate } from "./types";

interface Values {
  modelId?: number;
  description: string;
  rules: RuleRow[];
}

interface Props {
  /** The gate to edit; null creates one. */
  gate: Gate | null;
  /** Models that already have a gate (a new gate picks another). */
  gatedModelIds: ReadonlySet<number>;
  open: boolean;
  onClose: () => void;
}

const KINDS: RuleKind[] = ["metric", "dimension", "drop"];
const METRIC_OPTIONS = [...TASK_METRICS, ...SUMMARY_SCORES].map((value) => ({ value }));
// Rule mistakes are caught by the form's own checks; anything the server still finds goes to the alert.
const FIELDS = ["description"] as const;

function RuleFields({ index, kind }: { index: number; kind: RuleKind }) {
  const { t } = useTranslation();
  const scoreName = useScoreName();
  const dimensionOptions = DIMENSIONS.map((value) => ({ value, label: scoreName(value) }));
  if (kind === "metric") {
    return (
      <>
        <Form.Item name={[index, "name"]} rules={[{ required: true, whitespace: true, message: t("gate.editor.metricRequired") }]}
                   tooltip={t("gate.editor.metricHelp")} label={t("gate.editor.metric")}>
          <AutoComplete options={METRIC_OPTIONS} style={{ width: 180 }} data-testid={`rule-${index}-metric`}
                        filterOption={(input, option) => String(option?.value).includes(input)} />
        </Form.Item>
        <Form.Item name={[index, "min"]} label={t("gate.editor.min")} dependencies={[["rules", index, "max"]]}
                   rules={[({ getFieldValue }) => ({
                     validator: (_, min: number | null | undefined) => (
                       given(min) || given(getFieldValue(["rules", index, "max"])) ? Promise.resolve()
                         : Promise.reject(new Error(t("gate.editor.boundRequired")))),
                   })]}>
          <InputNumber step={0.01} style={{ width: 110 }} data-testid={`rule-${index}-min`} />
        </Form.Item>
        <Form.Item name={[index, "max"]} label={t("gate.editor.max")}>
          <InputNumber step={0.01} style={{ width: 110 }} data-testid={`rule-${index}-max`} />
        </Form.Item>
      </>
    );
  }
  if (kind === "dimension") {
    return (
      <>
        <Form.Item name={[index, "name"]} label={t("gate.editor.dimension")}
                   rules={[{ required: true, message: t("gate.editor.dimensionRequired") }]}>
          <Select options={dimensionOptions} style={{ width: 180 }} data-testid={`rule-${index}-dimension`} />
        </Form.Item>
        <Form.Item name={[index, "min"]} label={t("gate.editor.min")}
                   rules={[{ required: true, message: t("gate.editor.minRequired") }]}>
          <InputNumber min={0} max={100} style={{ width: 110 }} data-testid={`rule-${index}-min`} />
        </Form.Item>
      </>
    );
  }
  return (
    <>
      <Form.Item name={[index, "drop"]} label={t("gate.editor.drop")}
                 rules={[{ required: true, message: t("gate.editor.dropRequired") }]}>
        <InputNumber min={0} max={100} style={{ width: 110 }} data-testid={`rule-${index}-drop`} />
      </Form.Item>
      <Form.Item name={[index, "dimensions"]} label={t("gate.editor.dropDimensions")}>
        <Select mode="multiple" allowClear options={dimensionOptions} placeholder={t("gate.editor.allDimensions")}
                style={{ minWidth: 220 }} />
      </Form.Item>
    </>
  );
}

export function RulesEditor({ gate, gatedModelIds, open, onClose }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveGate();
  const models = useRegisteredModels();
  const errors = useServerFormErrors(form, FIELDS);
  const rows = Form.useWatch("rules", form) ?? [];

  useEffect(() => {
    if (!open) return;
    errors.clear();
    form.resetFields();
    form.setFieldsValue({ description: gate?.description ?? "",
                          rules: gate ? rowsFromRules(gate.rules) : [{ kind: "metric" }] });
  }, [open, gate, form, errors.clear]);

  const onSave = async () => {
    const values = await form.validateFields();
    const modelId = gate?.model_id ?? values.modelId!;
    const result = await errors.submit(() => save.mutateAsync({
      modelId, rules: rulesFromRows(values.rules ?? []), description: values.description ?? "",
      ...(gate ? { version: gate.version } : {}),
    }));
    if (result.ok) {
      message.success(t("gate.saved", { name: result.value.model_name }));
      onClose();
    }
  };

  const modelOptions = (models.data?.items ?? []).filter((model) => !gatedModelIds.has(model.id))
    .map((model) => ({ value: model.id, label: model.name }));

  return (
    <Modal open={open} onCancel={onClose} onOk={() => void onSave()} confirmLoading={errors.submitting} width={900}
           title={gate ? t("gate.editor.title", { name: gate.model_name }) : t("gate.editor.newTitle")}
           okText={t("common.save")} cancelText={t("common.cancel")} destroyOnHidden data-testid="gate-editor">
      {errors.formError}
      <Form form={form} layout="vertical">
        {!gate && (
          <Form.Item name="modelId" label={t("gate.model")} extra={t("gate.editor.modelTaken")}
                     rules={[{ required: true, message: t("gate.editor.chooseModel") }]}>
            <Select showSearch optionFilterProp="label" options={modelOptions} loading={models.isPending}
                    data-testid="gate-model" />
          </Form.Item>
        )}
        <Form.Item name="description" label={t("gate.description")}>
          <Input maxLength={2000} />
        </Form.Item>
        <Form.List name="rules">
          {(fields, { add, remove }) => (
            <Flex vertical gap={4}>
              {fields.map((field) => (
                <Flex key={field.key} gap={12} align="start" wrap data-testid={`gate-rule-${field.name}`}>
                  <Form.Item name={[field.name, "kind"]} label={t("gate.editor.kind")}>
                    <Select style={{ width: 220 }} data-testid={`rule-${field.name}-kind`}
                            options={KINDS.map((kind) => ({ value: kind, label: t(`gate.editor.kinds.${kind}`) }))} />
                  </Form.Item>
                  <RuleFields index={field.name} kind={rows[field.name]?.kind ?? "metric"} />
                  <Form.Item label=" ">
                    <Button icon={<DeleteOutlined />} aria-label={t("gate.editor.removeRule")}
                            onClick={() => remove(field.name)} />
                  </Form.Item>
                </Flex>
              ))}
              {fields.length === 0 && (
                <Typography.Text type="warning">{t("gate.editor.noRulesWarning")}</Typography.Text>
              )}
              <Button icon={<PlusOutlined />} onClick={() => add({ kind: "metric" })} style={{ alignSelf: "start" }}
                      data-testid="add-rule">
                {t("gate.editor.addRule")}
              </Button>
            </Flex>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
