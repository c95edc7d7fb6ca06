/** Create a human evaluation task: a run, whose answers, how many inputs, the rubric and who scores. */
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { App, Button, Flex, Form, Input, InputNumber, Modal, Select } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";

import { useServerFormErrors } from "../../../lib/forms";
import { useEvalRuns } from "../api";
import { useCreateHumanTask, useEvaluators } from "./api";
import { DEFAULT_CRITERIA, type Criterion, type HumanTask } from "./types";

interface Values {
  run_id: number;
  name?: string;
  models?: string[];
  sample_size: number;
  evaluator_ids: number[];
  overlap: number;
  seed: number;
  instructions?: string;
  criteria: Criterion[];
}

const FIELDS = ["run_id", "name", "models", "sample_size", "evaluator_ids", "overlap", "seed", "instructions",
                "criteria"] as const;
/** The server's rule: a criterion becomes the record score `human_<name>`. */
const CRITERION_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
const RUN_CHOICES = 100;

interface Props {
  open: boolean;
  /** The run to start from (a run page links here with `?run=`). */
  runId?: number;
  onClose: () => void;
  onCreated: (task: HumanTask) => void;
}

export function NewTaskModal({ open, runId, onClose, onCreated }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreateHumanTask();
  const runs = useEvalRuns(1, RUN_CHOICES);
  const evaluators = useEvaluators(open);
  const { submitting, submit, formError, clear } = useServerFormErrors(form, FIELDS);
  const chosenRunId = Form.useWatch("run_id", form);
  const run = runs.data?.items.find((candidate) => candidate.id === chosenRunId);

  useEffect(() => {
    if (!open) return;
    clear();
    form.resetFields();
    form.setFieldsValue({ run_id: runId, overlap: 1, seed: 0, sample_size: 10, criteria: DEFAULT_CRITERIA });
  }, [open, runId, form, clear]);

  const onOk = async () => {
    const values = await form.validateFields();
    const result = await submit(() => create.mutateAsync({
      ...values, name: values.name?.trim() || undefined, instructions: values.instructions ?? "",
      models: values.models?.length ? values.models : undefined,
      criteria: values.criteria.map((criterion) => ({ ...criterion, description: criterion.description ?? "" })),
    }));
    if (result.ok) {
      message.success(t("humanEval.created", { name: result.value.name }));
      onClose();
      onCreated(result.value);
    }
  };

  return (
    <Modal open={open} title={t("humanEval.newTask")} onCancel={onClose} width={760} destroyOnHidden
           onOk={() => void onOk().catch(() => undefined)} confirmLoading={submitting}
           okText={t("common.create")} cancelText={t("common.cancel")}>
      {formError}
      <Form form={form} layout="vertical" requiredMark="optional" data-testid="human-task-form">
        <Form.Item name="run_id" label={t("humanEval.form.run")} extra={t("humanEval.form.runHelp")}
                   rules={[{ required: true, message: t("humanEval.form.runRequired") }]}>
          <Select showSearch={{ optionFilterProp: "label" }} loading={runs.isPending} data-testid="human-run"
                  onChange={() => form.setFieldValue("models", undefined)}
                  options={runs.data?.items.filter((item) => item.state === "succeeded")
                    .map((item) => ({ value: item.id, label: `#${item.id} ${item.name}` }))} />
        </Form.Item>
        <Form.Item name="name" label={t("humanEval.form.name")} rules={[{ max: 200 }]}>
          <Input placeholder={t("humanEval.form.namePlaceholder")} autoComplete="off" />
        </Form.Item>
        <Form.Item name="models" label={t("humanEval.form.models")} extra={t("humanEval.form.modelsHelp")}>
          <Select mode="multiple" allowClear disabled={run === undefined} data-testid="human-models"
                  options={run?.models.map(({ label }) => ({ value: label, label }))} />
        </Form.Item>
        <Flex gap={16} wrap>
          <Form.Item name="sample_size" label={t("humanEval.form.sampleSize")}
                     rules={[{ required: true, message: t("humanEval.form.sampleRequired") }]}>
            <InputNumber min={1} max={10_000} precision={0} />
          </Form.Item>
          <Form.Item name="overlap" label={t("humanEval.form.overlap")} tooltip={t("humanEval.form.overlapHelp")}
                     rules={[{ required: true }]}>
            <InputNumber min={1} max={10} precision={0} />
          </Form.Item>
          <Form.Item name="seed" label={t("humanEval.form.seed")} rules={[{ required: true }]}>
            <InputNumber precision={0} />
          </Form.Item>
        </Flex>
        <Form.Item name="evaluator_ids" label={t("humanEval.form.evaluators")} extra={t("humanEval.form.evaluatorsHelp")}
                   rules={[{ required: true, message: t("humanEval.form.evaluatorsRequired") }]}>
          <Select mode="multiple" loading={evaluators.isPending} optionFilterProp="label" data-testid="human-evaluators"
                  options={evaluators.data?.map((user) => ({
                    value: user.id,
                    label: user.display_name && user.display_name !== user.username
                      ? `${user.display_name} (${user.username})` : user.username,
                  }))} />
        </Form.Item>
        <Form.Item name="instructions" label={t("humanEval.form.instructions")} rules={[{ max: 5000 }]}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} />
        </Form.Item>
        <Form.Item label={t("humanEval.form.criteria")} required>
          <Form.List name="criteria">
            {(fields, { add, remove }) => (
              <Flex vertical gap={8}>
                {fields.map((field) => (
                  <Flex key={field.key} gap={8} align="start">
                    <Form.Item name={[field.name, "name"]} style={{ margin: 0, width: 170 }}
                               rules={[{ required: true, pattern: CRITERION_PATTERN,
                                         message: t("humanEval.form.criterionPattern") }]}>
                      <Input placeholder={t("humanEval.form.criterion")} aria-label={t("humanEval.form.criterion")} />
                    </Form.Item>
                    <Form.Item name={[field.name, "description"]} style={{ margin: 0, flex: 1 }} rules={[{ max: 500 }]}>
                      <Input placeholder={t("humanEval.form.description")} />
                    </Form.Item>
                    <Form.Item name={[field.name, "scale"]} style={{ margin: 0 }} rules={[{ required: true }]}>
                      <InputNumber min={2} max={9} precision={0} prefix={t("humanEval.form.scale")}
                                   style={{ width: 130 }} />
                    </Form.Item>
                    <Button icon={<DeleteOutlined />} disabled={fields.length === 1} onClick={() => remove(field.name)}
                            aria-label={t("common.delete")} />
                  </Flex>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ name: "", description: "", scale: 5 })}
                        disabled={fields.length >= 10}>
                  {t("humanEval.form.addCriterion")}
                </Button>
              </Flex>
            )}
          </Form.List>
        </Form.Item>
      </Form>
    </Modal>
  );
}
