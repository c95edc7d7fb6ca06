/** A score column's name as people read it: dimensions and the suite's overall score translated, metric names as the metrics library spells them. */
import { useCallback } from "react";
import { useTranslation } from "react-i18next";

import { isDimension } from "./scores";

export function useScoreName(): (name: string) => string {
  const { t } = useTranslation();
  return useCallback((name: string) => {
    if (isDimension(name)) return t(`evaluation.dimensions.${name}`);
    if (name === "suite_overall") return t("evaluation.columns.suite_overall");
    return name;
  }, [t]);
}

export function ScoreName({ name }: { name: string }) {
  return <>{useScoreName()(name)}</>;
}
