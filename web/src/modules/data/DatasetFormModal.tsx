/** Create a dataset, or edit one's settings (name, description, sensitivity, visibility). */
import { App, Form, Input, Modal, Select } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";

import { ApiError } from "../../api/errors";
import type { Dataset, DataType, Sensitivity, Visibility } from "../../api/types";
import { DATA_TYPES, SENSITIVITIES, VISIBILITIES } from "../../api/types";
import { useServerFormErrors } from "../../lib/forms";
import { useDepartments } from "../admin/users/api";
import { useCreateDataset, useUpdateDataset } from "./api";

interface Values {
  name: string;
  description: string;
  data_type: DataType;
  sensitivity: Sensitivity;
  visibility: Visibility;
  department_id: number | null;
}

const FIELDS = ["name", "description", "data_type", "sensitivity", "visibility", "department_id"] as const;

interface Props {
  open: boolean;
  /** The dataset to edit; undefined creates one. */
  dataset?: Dataset;
  onClose: () => void;
  onCreated?: (dataset: Dataset) => void;
}

export function DatasetFormModal({ open, dataset, onClose, onCreated }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreateDataset();
  const update = useUpdateDataset();
  const departments = useDepartments();
  const { submitting, submit, formError, clear } = useServerFormErrors(form, FIELDS);
  const editing = dataset !== undefined;

  useEffect(() => {
    if (!open) return;
    clear();
    form.resetFields();
    form.setFieldsValue(dataset
      ? { name: dataset.name, description: dataset.description, data_type: dataset.data_type,
          sensitivity: dataset.sensitivity, visibility: dataset.visibility, department_id: dataset.department_id }
      : { description: "", data_type: "text", sensitivity: "internal", visibility: "department", department_id: null });
  }, [open, dataset, form, clear]);

  const onOk = async () => {
    const values = await form.validateFields();
    const result = await submit(() => (dataset
      ? update.mutateAsync({ id: dataset.id, body: {
          version: dataset.version, name: values.name.trim(), description: values.description ?? "",
          sensitivity: values.sensitivity, visibility: values.visibility, department_id: values.department_id ?? null,
        } })
      : create.mutateAsync({
          name: values.name.trim(), description: values.description ?? "", data_type: values.data_type,
          sensitivity: values.sensitivity, visibility: values.visibility, department_id: values.department_id ?? null,
        })));
    if (result.ok) {
      message.success(editing ? t("data.saved", { name: result.value.name }) : t("data.created", { name: result.value.name }));
      onClose();
      if (!editing) onCreated?.(result.value);
    } else if (result.error instanceof ApiError && result.error.status === 409 && result.error.code === "stale_version") {
      message.warning(t("errors.conflict"));
      onClose();
    }
  };

  return (
    <Modal open={open} title={editing ? t("data.edit") : t("data.newDataset")} onCancel={onClose}
           onOk={() => void onOk().catch(() => undefined)} confirmLoading={submitting} destroyOnHidden
           okText={editing ? t("common.save") : t("common.create")} cancelText={t("common.cancel")}>
      {formError}
      <Form form={form} layout="vertical" requiredMark="optional" data-testid="dataset-form">
        <Form.Item name="name" label={t("data.name")}
                   rules={[{ required: true, whitespace: true, message: t("data.nameRequired") }, { max: 200 }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="description" label={t("data.description")} rules={[{ max: 5000 }]}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
        </Form.Item>
        <Form.Item name="data_type" label={t("data.dataType")} rules={[{ required: true }]}>
          <Select disabled={editing} options={DATA_TYPES.map((value) => ({ value, label: t(`data.dataTypes.${value}`) }))} />
        </Form.Item>
        <Form.Item name="sensitivity" label={t("data.sensitivity")} rules={[{ required: true }]}
                   extra={t("data.sensitivityHelp")}>
          <Select options={SENSITIVITIES.map((value) => ({ value, label: t(`data.sensitivities.${value}`) }))} />
        </Form.Item>
        <Form.Item name="visibility" label={t("data.visibility")} rules={[{ required: true }]}>
          <Select options={VISIBILITIES.map((value) => ({ value, label: t(`data.visibilities.${value}`) }))} />
        </Form.Item>
        <Form.Item name="department_id" label={t("data.department")} extra={t("data.departmentHelp")}>
          <Select allowClear loading={departments.isPending} placeholder={t("data.defaultDepartment")}
                  options={(departments.data?.items ?? []).map((d) => ({ value: d.id, label: d.name }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
