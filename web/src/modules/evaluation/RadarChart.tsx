/**
 * The general suite's radar chart. The drawn series' names are also written on the wrapper
 * (`data-series`), since the canvas itself cannot be read by tests or assistive technology.
 */
import { Empty } from "antd";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";

import { useThemeMode } from "../../app/theme";
import { EChart } from "../../components/EChart";
import { radarOption, radarRows } from "./radar";
import type { ScoreRow } from "./scores";
import { useScoreName } from "./ScoreName";

interface Props {
  rows: ScoreRow[];
  name: (row: ScoreRow) => string;
  baselineKey?: string | null;
  height?: number;
}

export function RadarChart({ rows, name, baselineKey, height = 380 }: Props) {
  const { t } = useTranslation();
  const { dark } = useThemeMode();
  const axis = useScoreName();
  const option = useMemo(() => radarOption({ rows, name, axis, baselineKey }), [rows, name, axis, baselineKey]);
  if (option === null) return <Empty description={t("evaluation.run.noRadar")} />;
  const names = radarRows(rows).map(name);
  return (
    <div data-testid="radar-chart" data-series={names.join("|")}>
      <EChart option={option} dark={dark} height={height}
              label={t("evaluation.run.radarLabel", { models: names.join(", ") })} />
    </div>
  );
}
