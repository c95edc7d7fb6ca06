/** Create a model, or edit one's name, description, task and tags. */
import { App, Form, Input, Modal, Select } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";

import { ApiError } from "../../api/errors";
import { useServerFormErrors } from "../../lib/forms";
import { useCreateModel, useUpdateModel } from "./api";
import { MODEL_TASKS, type Model, type ModelTask } from "./types";

interface Values {
  name: string;
  description?: string;
  task: ModelTask;
  tags?: string[];
}

const FIELDS = ["name", "description", "task", "tags"] as const;
/** The server's rule: ':' and '@' address versions and aliases (name:3, name@prod). */
const NAME_PATTERN = /^[^\s:@](?:[^:@]*[^\s:@])?$/;

interface Props {
  open: boolean;
  /** The model to edit; undefined creates one. */
  model?: Model;
  onClose: () => void;
  onCreated?: (model: Model) => void;
}

export function ModelFormModal({ open, model, onClose, onCreated }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreateModel();
  const update = useUpdateModel();
  const { submitting, submit, formError, clear } = useServerFormErrors(form, FIELDS);
  const editing = model !== undefined;

  useEffect(() => {
    if (!open) return;
    clear();
    form.resetFields();
    form.setFieldsValue(model
      ? { name: model.name, description: model.description, task: model.task, tags: model.tags }
      : { description: "", task: "chat", tags: [] });
  }, [open, model, form, clear]);

  const onOk = async () => {
    const values = await form.validateFields();
    const body = { name: values.name.trim(), description: values.description ?? "", task: values.task,
                   tags: values.tags ?? [] };
    const result = await submit(() => (model
      ? update.mutateAsync({ id: model.id, body: { ...body, version: model.version } })
      : create.mutateAsync(body)));
    if (result.ok) {
      message.success(t(editing ? "models.saved" : "models.created", { name: result.value.name }));
      onClose();
      if (!editing) onCreated?.(result.value);
    } else if (result.error instanceof ApiError && result.error.code === "stale_version") {
      message.warning(t("errors.conflict"));
      onClose();
    }
  };

  return (
    <Modal open={open} title={editing ? t("models.edit") : t("models.newModel")} onCancel={onClose}
           onOk={() => void onOk().catch(() => undefined)} confirmLoading={submitting} destroyOnHidden
           okText={editing ? t("common.save") : t("common.create")} cancelText={t("common.cancel")}>
      {formError}
      <Form form={form} layout="vertical" requiredMark="optional" data-testid="model-form">
        <Form.Item name="name" label={t("models.name")} extra={t("models.nameHelp")}
                   rules={[{ required: true, whitespace: true, message: t("models.nameRequired") },
                           { pattern: NAME_PATTERN, message: t("models.nameInvalid") }, { max: 200 }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="description" label={t("models.description")} rules={[{ max: 5000 }]}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
        </Form.Item>
        <Form.Item name="task" label={t("models.task")} rules={[{ required: true }]}>
          <Select options={MODEL_TASKS.map((value) => ({ value, label: t(`models.tasks.${value}`) }))} />
        </Form.Item>
        <Form.Item name="tags" label={t("models.tags")} extra={t("models.tagsHelp")}>
          <Select mode="tags" tokenSeparators={[","]} open={false} suffixIcon={null} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
