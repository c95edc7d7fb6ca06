import { DatePicker, Form, Input, Modal } from "antd";
import type { Dayjs } from "dayjs";
import dayjs from "dayjs";
import { useTranslation } from "react-i18next";

import type { ApiKeyCreated } from "../../../api/types";
import { useServerFormErrors } from "../../../lib/forms";
import { useCreateApiKey } from "./api";

interface Values {
  name: string;
  expires_at?: Dayjs | null;
}

export function CreateApiKeyModal({ open, onClose, onCreated }: {
  open: boolean;
  onClose: () => void;
  onCreated: (key: ApiKeyCreated) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const createKey = useCreateApiKey();
  const { submitting, submit, formError } = useServerFormErrors(form, ["name", "expires_at"]);

  const onOk = async () => {
    const values = await form.validateFields();
    const result = await submit(() => createKey.mutateAsync({
      name: values.name.trim(),
      // End of the chosen day, sent as an aware ISO timestamp (UTC).
      expires_at: values.expires_at ? values.expires_at.endOf("day").toISOString() : null,
    }));
    if (result.ok) {
      form.resetFields();
      onCreated(result.value);
    }
  };

  return (
    <Modal open={open} title={t("apiKeys.newKey")} onCancel={onClose} onOk={() => void onOk().catch(() => undefined)}
           confirmLoading={submitting} okText={t("common.create")} cancelText={t("common.cancel")} destroyOnHidden>
      {formError}
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item name="name" label={t("apiKeys.name")}
                   rules={[{ required: true, whitespace: true, message: t("apiKeys.nameRequired") }, { max: 120 }]}>
          <Input autoComplete="off" data-testid="api-key-name" />
        </Form.Item>
        <Form.Item name="expires_at" label={t("apiKeys.expiresAt")}>
          <DatePicker style={{ width: "100%" }} placeholder={t("apiKeys.noExpiry")}
                      disabledDate={(day) => day.isBefore(dayjs(), "day")} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
