import { LockOutlined, UserOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Button, Card, Flex, Form, Input, Layout, theme, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { useNavigate, useSearchParams } from "react-router";

import { api, unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import { safeNextPath } from "../../api/session";
import { rememberSignedIn } from "../../auth/useMe";
import { LanguageSwitch } from "../../layout/LanguageSwitch";
import { ThemeToggle } from "../../layout/ThemeToggle";
import { useServerFormErrors } from "../../lib/forms";

interface Credentials {
  username: string;
  password: string;
}

export default function LoginPage() {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const [form] = Form.useForm<Credentials>();
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { submitting, submit, formError } = useServerFormErrors(form, ["username", "password"]);

  const signIn = async (values: Credentials) => {
    const result = await submit(async () => {
      try {
        return await unwrap(api.POST("/api/auth/login", { body: values }));
      } catch (error) {
        // The throttle's answer is more useful with the wait in the user's language.
        if (error instanceof ApiError && error.status === 429 && error.retryAfterSeconds !== null) {
          throw new ApiError(429, error.code, t("auth.tooManyAttempts", { seconds: error.retryAfterSeconds }));
        }
        throw error;
      }
    });
    if (!result.ok) return;
    // Data of a previous user must not show for this one.
    queryClient.removeQueries();
    rememberSignedIn(queryClient, result.value.user);
    void navigate(safeNextPath(searchParams.get("next")), { replace: true });
  };

  return (
    <Layout style={{ minHeight: "100vh", background: token.colorBgLayout }}>
      <Flex justify="flex-end" gap={4} style={{ padding: 12 }}>
        <LanguageSwitch />
        <ThemeToggle />
      </Flex>
      <Flex align="center" justify="center" style={{ flex: 1, paddingBottom: "10vh" }}>
        <Card style={{ width: 380, maxWidth: "92vw" }}>
          <Flex vertical align="center" style={{ marginBottom: 24 }}>
            <Typography.Title level={2} style={{ margin: 0, color: token.colorPrimary }}>{t("app.name")}</Typography.Title>
            <Typography.Text type="secondary">{t("app.tagline")}</Typography.Text>
          </Flex>
          <Typography.Title level={4} style={{ marginTop: 0 }}>{t("auth.title")}</Typography.Title>
          {formError}
          <Form form={form} layout="vertical" requiredMark={false} onFinish={(values) => void signIn(values)}>
            <Form.Item name="username" label={t("auth.username")}
                       rules={[{ required: true, whitespace: true, message: t("auth.usernameRequired") }]}>
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item name="password" label={t("auth.password")}
                       rules={[{ required: true, message: t("auth.passwordRequired") }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={submitting}>{t("auth.signIn")}</Button>
          </Form>
        </Card>
      </Flex>
    </Layout>
  );
}
