import { App, Form, Input, Modal, Select } from "antd";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";

import { ApiError } from "../../../api/errors";
import type { Role, User } from "../../../api/types";
import { ROLES } from "../../../api/types";
import { MIN_PASSWORD_LENGTH } from "../../../layout/ChangePasswordModal";
import { useServerFormErrors } from "../../../lib/forms";
import { useCreateUser, useDepartments, useUpdateUser } from "./api";

/** Mirrors the server's USERNAME_PATTERN so the mistake shows before sending. */
const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{2,64}$/;
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+$/;

interface UserValues {
  username: string;
  password: string;
  display_name: string;
  email: string;
  roles: Role[];
  department_id: number | null;
}

const FIELDS = ["username", "password", "display_name", "email", "roles", "department_id"] as const;

interface Props {
  /** The user to edit; undefined creates a new one. */
  user: User | undefined;
  open: boolean;
  onClose: () => void;
}

export function UserFormModal({ user, open, onClose }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<UserValues>();
  const departments = useDepartments();
  const createUser = useCreateUser();
  const updateUser = useUpdateUser();
  const { submitting, submit, formError, clear } = useServerFormErrors(form, FIELDS);
  const editing = user !== undefined;

  useEffect(() => {
    if (!open) return;
    clear();
    form.resetFields();
    form.setFieldsValue(user
      ? { username: user.username, display_name: user.display_name, email: user.email ?? "", roles: user.roles,
          department_id: user.department_id }
      : { roles: ["developer"], department_id: null, display_name: "", email: "" });
  }, [open, user, form, clear]);

  const onOk = async () => {
    const values = await form.validateFields();
    const email = values.email?.trim() || null;
    const result = await submit(() => (user
      ? updateUser.mutateAsync({ id: user.id, body: {
          version: user.version, display_name: values.display_name ?? "", email, roles: values.roles,
          department_id: values.department_id ?? null,
        } })
      : createUser.mutateAsync({
          username: values.username.trim(), password: values.password, display_name: values.display_name ?? "",
          email, roles: values.roles, department_id: values.department_id ?? null,
        })));
    if (result.ok) {
      message.success(editing ? t("users.updated", { username: result.value.username })
                              : t("users.created", { username: result.value.username }));
      onClose();
    } else if (result.error instanceof ApiError && result.error.status === 409 && editing) {
      // Stale version: the list reloads; close so the user reopens the fresh row.
      message.warning(t("errors.conflict"));
      onClose();
    }
  };

  return (
    <Modal open={open} title={editing ? t("users.edit") : t("users.newUser")} onCancel={onClose}
           onOk={() => void onOk().catch(() => undefined)} confirmLoading={submitting}
           okText={editing ? t("common.save") : t("common.create")} cancelText={t("common.cancel")} destroyOnHidden>
      {formError}
      <Form form={form} layout="vertical" requiredMark="optional">
        <Form.Item name="username" label={t("users.username")} extra={editing ? undefined : t("users.usernameHelp")}
                   rules={[{ required: true, pattern: USERNAME_PATTERN, message: t("users.usernameInvalid") }]}>
          <Input disabled={editing} autoComplete="off" />
        </Form.Item>
        {!editing && (
          <Form.Item name="password" label={t("users.password")}
                     rules={[{ required: true, min: MIN_PASSWORD_LENGTH,
                               message: t("auth.passwordTooShort", { min: MIN_PASSWORD_LENGTH }) }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        )}
        <Form.Item name="display_name" label={t("users.displayName")} rules={[{ max: 120 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="email" label={t("users.email")}
                   rules={[{ pattern: EMAIL_PATTERN, message: t("users.emailInvalid") }, { max: 254 }]}>
          <Input type="email" />
        </Form.Item>
        <Form.Item name="roles" label={t("users.roles")}
                   rules={[{ required: true, type: "array", min: 1, message: t("users.rolesRequired") }]}>
          <Select mode="multiple" options={ROLES.map((role) => ({ value: role, label: t(`roles.${role}`) }))}
                  data-testid="user-roles" />
        </Form.Item>
        <Form.Item name="department_id" label={t("users.department")}>
          <Select allowClear loading={departments.isPending} placeholder={t("users.noDepartment")}
                  options={(departments.data?.items ?? []).map((department) => ({
                    value: department.id, label: department.name,
                  }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
