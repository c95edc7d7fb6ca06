import { Button, Result } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

/** The 403 page: the user is signed in but their roles lack `permission`. */
export function ForbiddenResult({ permission }: { permission: string }) {
  const { t } = useTranslation();
  return (
    <Result
      status="403"
      title={t("errors.forbiddenTitle")}
      subTitle={t("errors.forbidden", { permission })}
      extra={<Link to="/"><Button type="primary">{t("errors.goHome")}</Button></Link>}
    />
  );
}
