/** What an evaluator judges: the input, the reference answer and the answer — never the model's name. */
import { Descriptions, Typography } from "antd";
import { useTranslation } from "react-i18next";

import { promptText } from "../records";
import type { Assignment } from "./types";

export function ItemTexts({ item }: { item: Pick<Assignment, "input" | "reference" | "output"> }) {
  const { t } = useTranslation();
  return (
    <Descriptions size="small" column={1} bordered data-testid="human-item" styles={{ label: { width: 160 } }}>
      <Descriptions.Item label={t("humanEval.scoring.input")}>
        <pre className="llmore-log" style={{ whiteSpace: "pre-wrap", margin: 0 }}>{promptText(item.input)}</pre>
      </Descriptions.Item>
      <Descriptions.Item label={t("humanEval.scoring.reference")}>
        <Typography.Paragraph style={{ whiteSpace: "pre-wrap", margin: 0 }}>
          {item.reference ?? t("humanEval.scoring.noReference")}
        </Typography.Paragraph>
      </Descriptions.Item>
      <Descriptions.Item label={t("humanEval.scoring.output")}>
        <Typography.Paragraph style={{ whiteSpace: "pre-wrap", margin: 0 }} data-testid="human-output">
          {item.output}
        </Typography.Paragraph>
      </Descriptions.Item>
    </Descriptions>
  );
}
