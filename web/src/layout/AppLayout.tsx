import { MenuFoldOutlined, MenuUnfoldOutlined } from "@ant-design/icons";
import { Button, Flex, Layout, theme, Typography } from "antd";
import { Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Outlet, useLocation } from "react-router";

import { ErrorBoundary } from "../components/ErrorBoundary";
import { FullPageSpin } from "../components/FullPageSpin";
import { LanguageSwitch } from "./LanguageSwitch";
import { SideMenu } from "./SideMenu";
import { ThemeToggle } from "./ThemeToggle";
import { UserMenu } from "./UserMenu";

const SIDEBAR_STORAGE_KEY = "llmore.sidebarCollapsed";

/** The signed-in shell: sidebar of modules, header with language/theme/account, the page. */
export function AppLayout() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const { token } = theme.useToken();
  const [collapsed, setCollapsed] = useState(() => window.localStorage.getItem(SIDEBAR_STORAGE_KEY) === "1");

  const toggleSidebar = () => {
    window.localStorage.setItem(SIDEBAR_STORAGE_KEY, collapsed ? "0" : "1");
    setCollapsed(!collapsed);
  };

  return (
    <Layout style={{ minHeight: "100vh" }}>
      {/* "light" Sider takes the container colour, which antd's dark algorithm already darkens. */}
      <Layout.Sider collapsible collapsed={collapsed} trigger={null} width={220} theme="light"
                    style={{ borderInlineEnd: `1px solid ${token.colorBorderSecondary}` }}>
        <Link to="/" style={{ display: "block", padding: "16px 20px", whiteSpace: "nowrap", overflow: "hidden" }}>
          <Typography.Title level={4} style={{ margin: 0, color: token.colorPrimary }}>
            {collapsed ? "L" : t("app.name")}
          </Typography.Title>
        </Link>
        <SideMenu collapsed={collapsed} />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ padding: "0 16px", background: token.colorBgContainer,
                                borderBottom: `1px solid ${token.colorBorderSecondary}` }}>
          <Flex align="center" justify="space-between" style={{ height: "100%" }}>
            <Button type="text" onClick={toggleSidebar}
                    icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
                    aria-label={collapsed ? t("layout.expand") : t("layout.collapse")} />
            <Flex align="center" gap={4}>
              <LanguageSwitch />
              <ThemeToggle />
              <UserMenu />
            </Flex>
          </Flex>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <ErrorBoundary resetKey={pathname}>
            <Suspense fallback={<FullPageSpin />}>
              <Outlet />
            </Suspense>
          </ErrorBoundary>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
