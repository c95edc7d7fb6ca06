/**
 * Import a version into a model: a server folder or GGUF file (registered in place at once, or
 * copied by a job) or a Hugging Face / ModelScope id (downloaded by a job). The page follows the
 * job; a folder registered in place opens its new version.
 */
import { Alert, App, Checkbox, Form, Input, Modal, Segmented, Select } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";

import type { Job } from "../../api/types";
import { useServerFormErrors } from "../../lib/forms";
import { useImportVersion } from "./api";
import { LOCAL_SOURCES, MODEL_IMPORT_SOURCES, type Model, type ModelImportSource, type ModelVersion } from "./types";

interface Values {
  source: ModelImportSource;
  location: string;
  revision?: string;
  copy?: boolean;
  base?: string;
  description?: string;
  license?: string;
  tags?: string[];
}

const FIELDS = ["source", "location", "revision", "copy", "base", "description", "license", "tags"] as const;

interface Props {
  open: boolean;
  model: Model;
  onClose: () => void;
  onRegistered: (version: ModelVersion) => void;
  onJob: (job: Job) => void;
}

export function ImportVersionModal({ open, model, onClose, onRegistered, onJob }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const importVersion = useImportVersion();
  const { submitting, submit, formError, clear } = useServerFormErrors(form, FIELDS);
  const source = Form.useWatch("source", form) ?? "path";
  const local = LOCAL_SOURCES.has(source);

  useEffect(() => {
    if (!open) return;
    clear();
    form.resetFields();
    form.setFieldsValue({ source: "path", copy: false, tags: [] });
  }, [open, form, clear]);

  const onOk = async () => {
    const values = await form.validateFields();
    const result = await submit(() => importVersion.mutateAsync({ id: model.id, body: {
      source: values.source, location: values.location.trim(), revision: local ? null : values.revision?.trim() || null,
      copy: local ? Boolean(values.copy) : false, base: values.base?.trim() || null,
      description: values.description ?? "", license: values.license?.trim() || null, tags: values.tags ?? [],
    } }));
    if (!result.ok) return;
    onClose();
    if (result.value.version) {
      message.success(t("models.import.registered", { reference: result.value.version.reference }));
      onRegistered(result.value.version);
    } else if (result.value.job) {
      onJob(result.value.job);
    }
  };

  return (
    <Modal open={open} title={t("models.import.title", { name: model.name })} onCancel={onClose} width={640}
           onOk={() => void onOk().catch(() => undefined)} confirmLoading={submitting} destroyOnHidden
           okText={t("models.import.submit")} cancelText={t("common.cancel")}>
      {formError}
      <Form form={form} layout="vertical" requiredMark="optional" data-testid="import-form">
        <Form.Item name="source" label={t("models.import.source")}>
          <Segmented options={MODEL_IMPORT_SOURCES.map((value) => ({ value, label: t(`models.import.sources.${value}`) }))} />
        </Form.Item>
        <Form.Item name="location" label={t(`models.import.locations.${source}`)}
                   extra={t(`models.import.locationHelp.${source}`)}
                   rules={[{ required: true, whitespace: true, message: t("models.import.locationRequired") }]}>
          <Input autoComplete="off" />
        </Form.Item>
        {local
          ? (
            <Form.Item name="copy" valuePropName="checked" extra={t("models.import.copyHelp")}>
              <Checkbox>{t("models.import.copy")}</Checkbox>
            </Form.Item>
          )
          : (
            <>
              <Alert type="info" showIcon title={t("models.import.hubNote")} style={{ marginBottom: 16 }} />
              <Form.Item name="revision" label={t("models.import.revision")}>
                <Input autoComplete="off" placeholder="main" />
              </Form.Item>
            </>
          )}
        <Form.Item name="base" label={t("models.import.base")} extra={t("models.import.baseHelp")}>
          <Input autoComplete="off" placeholder="name:1" />
        </Form.Item>
        <Form.Item name="license" label={t("models.license")} extra={t("models.import.licenseHelp")}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="description" label={t("models.description")}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} />
        </Form.Item>
        <Form.Item name="tags" label={t("models.tags")}>
          <Select mode="tags" tokenSeparators={[","]} open={false} suffixIcon={null} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
