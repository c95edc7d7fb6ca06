import { KeyOutlined, LockOutlined, LogoutOutlined, UserOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { App, Avatar, Button, Dropdown, Space } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

import { api, unwrap } from "../api/client";
import { useMe } from "../auth/useMe";
import { errorMessage } from "../lib/errorMessage";
import { ChangePasswordModal } from "./ChangePasswordModal";

export function UserMenu() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { data: me } = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [changingPassword, setChangingPassword] = useState(false);

  const signOut = async () => {
    try {
      await unwrap(api.POST("/api/auth/logout"));
    } catch (error) {
      message.error(errorMessage(error, t));
      return;
    }
    // Nothing of the previous user may linger in the cache for the next one.
    queryClient.clear();
    message.success(t("layout.signedOut"));
    void navigate("/login", { replace: true });
  };

  return (
    <>
      <Dropdown
        trigger={["click"]}
        menu={{
          items: [
            { key: "password", icon: <LockOutlined />, label: t("layout.changePassword") },
            { key: "keys", icon: <KeyOutlined />, label: t("nav.apiKeys") },
            { type: "divider" },
            { key: "signout", icon: <LogoutOutlined />, label: t("layout.signOut"), danger: true },
          ],
          onClick: ({ key }) => {
            if (key === "password") setChangingPassword(true);
            if (key === "keys") void navigate("/admin/api-keys");
            if (key === "signout") void signOut();
          },
        }}
      >
        <Button type="text" aria-label={t("layout.userMenu")} data-testid="user-menu">
          <Space>
            <Avatar size="small" icon={<UserOutlined />} />
            {me?.display_name || me?.username}
          </Space>
        </Button>
      </Dropdown>
      <ChangePasswordModal open={changingPassword} onClose={() => setChangingPassword(false)} />
    </>
  );
}
