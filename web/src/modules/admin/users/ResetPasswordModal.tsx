import { App, Form, Input, Modal } from "antd";
import { useTranslation } from "react-i18next";

import type { User } from "../../../api/types";
import { MIN_PASSWORD_LENGTH } from "../../../layout/ChangePasswordModal";
import { useServerFormErrors } from "../../../lib/forms";
import { useResetPassword } from "./api";

export function ResetPasswordModal({ user, onClose }: { user: User | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ password: string }>();
  const resetPassword = useResetPassword();
  const { submitting, submit, formError } = useServerFormErrors(form, ["password"]);

  const onOk = async () => {
    if (!user) return;
    const { password } = await form.validateFields();
    const result = await submit(() => resetPassword.mutateAsync({ id: user.id, password }));
    if (result.ok) {
      message.success(t("users.passwordReset", { username: user.username }));
      onClose();
    }
  };

  return (
    <Modal open={user !== undefined} title={t("users.resetPasswordTitle", { username: user?.username ?? "" })}
           onCancel={onClose} onOk={() => void onOk().catch(() => undefined)} confirmLoading={submitting}
           okText={t("users.resetPassword")} okButtonProps={{ danger: true }} cancelText={t("common.cancel")}
           destroyOnHidden>
      {formError}
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item name="password" label={t("auth.newPassword")}
                   rules={[{ required: true, min: MIN_PASSWORD_LENGTH,
                             message: t("auth.passwordTooShort", { min: MIN_PASSWORD_LENGTH }) }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
