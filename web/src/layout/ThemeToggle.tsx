import { MoonOutlined, SunOutlined } from "@ant-design/icons";
import { Button, Tooltip } from "antd";
import { useTranslation } from "react-i18next";

import { useThemeMode } from "../app/theme";

export function ThemeToggle() {
  const { t } = useTranslation();
  const { dark, toggle } = useThemeMode();
  // The button names what it switches to.
  const label = dark ? t("layout.themeLight") : t("layout.themeDark");
  return (
    <Tooltip title={label}>
      <Button type="text" icon={dark ? <SunOutlined /> : <MoonOutlined />} aria-label={label}
              data-testid="theme-toggle" onClick={toggle} />
    </Tooltip>
  );
}
