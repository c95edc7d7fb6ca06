import { App, Form, Input, Modal } from "antd";
import { useTranslation } from "react-i18next";

import { api, unwrap } from "../api/client";
import { useServerFormErrors } from "../lib/forms";

/** Minimum password length, as the server enforces it (`MIN_PASSWORD_LENGTH`). */
export const MIN_PASSWORD_LENGTH = 10;

interface Values {
  current_password: string;
  password: string;
  confirm: string;
}

export function ChangePasswordModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { submitting, submit, formError } = useServerFormErrors(form, ["current_password", "password"]);

  const onOk = async () => {
    const values = await form.validateFields();
    const done = await submit(() => unwrap(api.POST("/api/auth/me/password", {
      body: { current_password: values.current_password, password: values.password },
    })));
    if (done) {
      message.success(t("auth.passwordChanged"));
      form.resetFields();
      onClose();
    }
  };

  return (
    <Modal open={open} title={t("layout.changePassword")} okText={t("common.save")} cancelText={t("common.cancel")}
           onOk={() => void onOk().catch(() => undefined)} onCancel={onClose} confirmLoading={submitting}
           destroyOnHidden>
      {formError}
      <Form form={form} layout="vertical" requiredMark={false}>
        <Form.Item name="current_password" label={t("auth.currentPassword")}
                   rules={[{ required: true, message: t("auth.passwordRequired") }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="password" label={t("auth.newPassword")}
                   rules={[{ required: true, min: MIN_PASSWORD_LENGTH,
                             message: t("auth.passwordTooShort", { min: MIN_PASSWORD_LENGTH }) }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="confirm" label={t("auth.confirmPassword")} dependencies={["password"]}
                   rules={[{ required: true, message: t("auth.passwordRequired") },
                           ({ getFieldValue }) => ({
                             validator: (_, value) => (!value || getFieldValue("password") === value
                               ? Promise.resolve() : Promise.reject(new Error(t("auth.passwordsDiffer")))),
                           })]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
