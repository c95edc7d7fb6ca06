import { QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider, theme } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import dayjs from "dayjs";
import { Suspense, useEffect } from "react";
import { useTranslation } from "react-i18next";
import { RouterProvider } from "react-router";

import { onSessionExpired } from "./api/client";
import { loginPathFor, LOGIN_PATH } from "./api/session";
import { queryClient } from "./app/queryClient";
import { router } from "./app/router";
import { ThemeModeProvider, useThemeMode } from "./app/theme";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { FullPageSpin } from "./components/FullPageSpin";
import { currentLang } from "./i18n";
import "dayjs/locale/zh-cn";

// Any 401 (session expired, signed out elsewhere) returns to the login page, which brings the
// user back here afterwards.
onSessionExpired(() => {
  const here = router.state.location;
  if (here.pathname === LOGIN_PATH) return;
  queryClient.removeQueries();
  void router.navigate(loginPathFor(here), { replace: true });
});

function ThemedApp() {
  const { i18n } = useTranslation();
  const { dark } = useThemeMode();
  const lang = currentLang(i18n.resolvedLanguage);
  useEffect(() => {
    dayjs.locale(lang === "zh" ? "zh-cn" : "en"); // date pickers follow the console language
  }, [lang]);
  return (
    <ConfigProvider
      locale={lang === "zh" ? zhCN : enUS}
      theme={{ algorithm: dark ? theme.darkAlgorithm : theme.defaultAlgorithm }}
    >
      <AntApp>
        <ErrorBoundary>
          <Suspense fallback={<FullPageSpin />}>
            <RouterProvider router={router} />
          </Suspense>
        </ErrorBoundary>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <ThemeModeProvider>
        <ThemedApp />
      </ThemeModeProvider>
    </QueryClientProvider>
  );
}
