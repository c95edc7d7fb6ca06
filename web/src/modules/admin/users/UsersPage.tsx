import { PlusOutlined } from "@ant-design/icons";
import { App, Button, Flex, Input, Select, Space, Table, type TableColumnsType, Tag } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { ApiError } from "../../../api/errors";
import type { Role, User } from "../../../api/types";
import { ROLES } from "../../../api/types";
import { useCan } from "../../../auth/useMe";
import { PageHeader } from "../../../components/PageHeader";
import { QueryError } from "../../../components/QueryError";
import { errorMessage } from "../../../lib/errorMessage";
import { formatDateTime } from "../../../lib/format";
import { useListParams } from "../../../lib/useListParams";
import { useDepartments, useUpdateUser, useUsers } from "./api";
import { ResetPasswordModal } from "./ResetPasswordModal";
import { UserFormModal } from "./UserFormModal";

function isRole(value: string | undefined): value is Role {
  return value !== undefined && (ROLES as readonly string[]).includes(value);
}

/** `active=true|false` in the URL → the API's `is_active` filter. */
function activeFilter(value: string | undefined): boolean | undefined {
  return value === "true" ? true : value === "false" ? false : undefined;
}

export default function UsersPage() {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const can = useCan();
  const canWrite = can("users:write");
  const list = useListParams();
  const roleParam = list.get("role");
  const role = isRole(roleParam) ? roleParam : undefined;
  const isActive = activeFilter(list.get("active"));
  const q = list.get("q");
  const users = useUsers({ q, role, isActive, page: list.page, pageSize: list.pageSize });
  const departments = useDepartments();
  const updateUser = useUpdateUser();
  // `null`: the form is closed; `undefined` inside: creating.
  const [editing, setEditing] = useState<{ user: User | undefined } | null>(null);
  const [resetting, setResetting] = useState<User | undefined>(undefined);

  const departmentName = (id: number | null) =>
    id === null ? "—" : departments.data?.items.find((department) => department.id === id)?.name ?? `#${id}`;

  const toggleActive = (user: User) => {
    modal.confirm({
      title: user.is_active ? t("users.disableConfirm", { username: user.username })
                            : t("users.enableConfirm", { username: user.username }),
      okText: user.is_active ? t("users.disable") : t("users.enable"),
      okButtonProps: { danger: user.is_active },
      cancelText: t("common.cancel"),
      onOk: async () => {
        try {
          await updateUser.mutateAsync({ id: user.id, body: { version: user.version, is_active: !user.is_active } });
          message.success(t("users.updated", { username: user.username }));
        } catch (error) {
          message.error(error instanceof ApiError && error.status === 409 ? t("errors.conflict") : errorMessage(error, t));
        }
      },
    });
  };

  const columns: TableColumnsType<User> = [
    { title: t("users.username"), dataIndex: "username" },
    { title: t("users.displayName"), dataIndex: "display_name" },
    { title: t("users.email"), dataIndex: "email", render: (email: string | null) => email ?? "—" },
    {
      title: t("users.roles"), dataIndex: "roles",
      render: (roles: Role[]) => roles.map((item) => <Tag key={item}>{t(`roles.${item}`)}</Tag>),
    },
    { title: t("users.department"), dataIndex: "department_id", render: departmentName },
    {
      title: t("users.status"), dataIndex: "is_active",
      render: (active: boolean) => (active ? <Tag color="success">{t("users.active")}</Tag>
                                           : <Tag>{t("users.disabled")}</Tag>),
    },
    {
      title: t("users.lastLogin"), dataIndex: "last_login_at",
      render: (value: string | null) => (value ? formatDateTime(value) : t("users.never")),
    },
  ];
  if (canWrite) {
    columns.push({
      title: t("common.actions"), key: "actions", fixed: "right", width: 280,
      render: (_, user) => (
        <Space size={0}>
          <Button type="link" size="small" onClick={() => setEditing({ user })}>{t("common.edit")}</Button>
          <Button type="link" size="small" onClick={() => setResetting(user)}>{t("users.resetPassword")}</Button>
          <Button type="link" size="small" danger={user.is_active} onClick={() => toggleActive(user)}>
            {user.is_active ? t("users.disable") : t("users.enable")}
          </Button>
        </Space>
      ),
    });
  }

  return (
    <>
      <PageHeader
        title={t("users.title")}
        extra={canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ user: undefined })}>
            {t("users.newUser")}
          </Button>
        )}
      />
      <Flex gap={12} wrap style={{ marginBottom: 16 }}>
        <Input.Search allowClear placeholder={t("users.searchPlaceholder")} style={{ width: 260 }} defaultValue={q}
                      onSearch={(value) => list.setFilters({ q: value.trim() })} />
        <Select allowClear placeholder={t("users.roles")} style={{ width: 160 }} value={role}
                options={ROLES.map((value) => ({ value, label: t(`roles.${value}`) }))}
                onChange={(value?: Role) => list.setFilters({ role: value })} />
        <Select allowClear placeholder={t("users.status")} style={{ width: 140 }}
                value={isActive === undefined ? undefined : String(isActive)}
                options={[{ value: "true", label: t("users.active") }, { value: "false", label: t("users.disabled") }]}
                onChange={(value?: string) => list.setFilters({ active: value })} />
      </Flex>
      {users.isError && !users.data
        ? <QueryError error={users.error} onRetry={() => void users.refetch()} />
        : (
          <Table<User>
            rowKey="id" size="middle" columns={columns} dataSource={users.data?.items} loading={users.isPending}
            locale={{ emptyText: t("users.empty") }} scroll={{ x: 900 }}
            pagination={{
              current: list.page, pageSize: list.pageSize, total: users.data?.total ?? 0, showSizeChanger: true,
              showTotal: (total) => t("common.total", { total }), onChange: list.setPage,
            }}
          />
        )}
      <UserFormModal open={editing !== null} user={editing?.user} onClose={() => setEditing(null)} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(undefined)} />
    </>
  );
}
