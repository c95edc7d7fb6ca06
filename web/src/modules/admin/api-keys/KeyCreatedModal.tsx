import { Alert, Button, Input, Modal, Space, Typography } from "antd";
import { CopyOutlined } from "@ant-design/icons";
import { App } from "antd";
import { useTranslation } from "react-i18next";

import type { ApiKeyCreated } from "../../../api/types";

/** Shows a new key once; it cannot be fetched again, so the modal only closes on purpose. */
export function KeyCreatedModal({ created, onClose }: { created: ApiKeyCreated | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.key);
      message.success(t("common.copied"));
    } catch {
      // No clipboard access (plain http on another host): the key stays selectable in the box.
    }
  };

  return (
    <Modal open={created !== null} title={t("apiKeys.createdTitle")} closable={false} mask={{ closable: false }}
           keyboard={false}
           footer={<Button type="primary" onClick={onClose} data-testid="api-key-done">{t("apiKeys.done")}</Button>}>
      <Space direction="vertical" style={{ width: "100%" }}>
        <Alert type="warning" showIcon title={t("apiKeys.createdWarning")} />
        <Typography.Text strong>{created?.name}</Typography.Text>
        <Space.Compact style={{ width: "100%" }}>
          <Input readOnly value={created?.key ?? ""} data-testid="api-key-value"
                 style={{ fontFamily: "ui-monospace, Menlo, Consolas, monospace" }}
                 onFocus={(event) => event.target.select()} />
          <Button icon={<CopyOutlined />} onClick={() => void copy()}>{t("apiKeys.copyKey")}</Button>
        </Space.Compact>
      </Space>
    </Modal>
  );
}
