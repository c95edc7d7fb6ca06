import { GlobalOutlined } from "@ant-design/icons";
import { Button, Dropdown } from "antd";
import { useTranslation } from "react-i18next";

import { currentLang, LANGUAGES } from "../i18n";

/** Switches between 简体中文 and English; i18next remembers the choice in localStorage. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const active = currentLang(i18n.resolvedLanguage);
  const label = LANGUAGES.find((language) => language.code === active)?.label;
  return (
    <Dropdown
      trigger={["click"]}
      menu={{
        selectable: true,
        selectedKeys: [active],
        items: LANGUAGES.map((language) => ({ key: language.code, label: language.label })),
        onClick: ({ key }) => void i18n.changeLanguage(key),
      }}
    >
      <Button type="text" icon={<GlobalOutlined />} aria-label={t("layout.language")} data-testid="language-switch">
        {label}
      </Button>
    </Dropdown>
  );
}
