import { PlusOutlined } from "@ant-design/icons";
import { App, Button, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { ApiKey, ApiKeyCreated } from "../../../api/types";
import { PageHeader } from "../../../components/PageHeader";
import { QueryError } from "../../../components/QueryError";
import { errorMessage } from "../../../lib/errorMessage";
import { formatDateTime } from "../../../lib/format";
import { useListParams } from "../../../lib/useListParams";
import { useApiKeys, useRevokeApiKey } from "./api";
import { CreateApiKeyModal } from "./CreateApiKeyModal";
import { KeyCreatedModal } from "./KeyCreatedModal";

type KeyStatus = "active" | "revoked" | "expired";

export function keyStatus(key: Pick<ApiKey, "revoked_at" | "expires_at">, now = Date.now()): KeyStatus {
  if (key.revoked_at) return "revoked";
  if (key.expires_at && Date.parse(key.expires_at) <= now) return "expired";
  return "active";
}

const STATUS_COLOR: Record<KeyStatus, string> = { active: "success", revoked: "default", expired: "warning" };

export default function ApiKeysPage() {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const list = useListParams();
  const keys = useApiKeys(list.page, list.pageSize);
  const revoke = useRevokeApiKey();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);

  const confirmRevoke = (key: ApiKey) => {
    modal.confirm({
      title: t("apiKeys.revokeConfirm", { name: key.name }),
      okText: t("apiKeys.revoke"),
      okButtonProps: { danger: true },
      cancelText: t("common.cancel"),
      onOk: async () => {
        try {
          await revoke.mutateAsync(key.id);
          message.success(t("apiKeys.revokedMessage", { name: key.name }));
        } catch (error) {
          message.error(errorMessage(error, t));
        }
      },
    });
  };

  const columns: TableColumnsType<ApiKey> = [
    { title: t("apiKeys.name"), dataIndex: "name" },
    { title: t("apiKeys.prefix"), dataIndex: "prefix", render: (prefix: string) => <code>{prefix}…</code> },
    {
      title: t("apiKeys.status"), key: "status",
      render: (_, key) => {
        const status = keyStatus(key);
        return <Tag color={STATUS_COLOR[status]} data-testid="api-key-status">{t(`apiKeys.${status}`)}</Tag>;
      },
    },
    {
      title: t("apiKeys.expiresAt"), dataIndex: "expires_at",
      render: (value: string | null) => (value ? formatDateTime(value) : t("apiKeys.noExpiry")),
    },
    { title: t("jobs.createdAt"), dataIndex: "created_at", render: (value: string) => formatDateTime(value) },
    { title: t("apiKeys.lastUsed"), dataIndex: "last_used_at", render: (value: string | null) => formatDateTime(value) },
    { title: t("apiKeys.uses"), dataIndex: "use_count" },
    {
      title: t("common.actions"), key: "actions",
      render: (_, key) => keyStatus(key) === "active" && (
        <Button type="link" size="small" danger onClick={() => confirmRevoke(key)}>{t("apiKeys.revoke")}</Button>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t("apiKeys.title")}
        extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{t("apiKeys.newKey")}</Button>}
      >
        <Typography.Text type="secondary">{t("apiKeys.intro")}</Typography.Text>
      </PageHeader>
      {keys.isError && !keys.data
        ? <QueryError error={keys.error} onRetry={() => void keys.refetch()} />
        : (
          <Table<ApiKey>
            rowKey="id" size="middle" columns={columns} dataSource={keys.data?.items} loading={keys.isPending}
            locale={{ emptyText: t("apiKeys.empty") }} scroll={{ x: 800 }}
            pagination={{
              current: list.page, pageSize: list.pageSize, total: keys.data?.total ?? 0,
              showTotal: (total) => t("common.total", { total }), onChange: list.setPage, hideOnSinglePage: true,
            }}
          />
        )}
      <CreateApiKeyModal open={creating} onClose={() => setCreating(false)}
                         onCreated={(key) => { setCreating(false); setCreated(key); }} />
      <KeyCreatedModal created={created} onClose={() => setCreated(null)} />
    </>
  );
}
