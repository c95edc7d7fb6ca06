import { ClockCircleOutlined } from "@ant-design/icons";
import { Result } from "antd";
import { useTranslation } from "react-i18next";

import type { NavKey } from "../app/modules";

/**
 * The honest state of a module that has no pages yet: it says the module arrives later and
 * shows nothing made up.
 */
export function ModuleUnavailable({ module }: { module: NavKey }) {
  const { t } = useTranslation();
  return (
    <Result
      icon={<ClockCircleOutlined />}
      title={t("unavailable.title", { module: t(`nav.${module}`) })}
      subTitle={t("unavailable.body")}
    />
  );
}
