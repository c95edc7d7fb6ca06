/** A gate report: one row per judged value, with its rule, threshold, baseline, pass or fail, and why. */
import { Alert, Flex, Table, type TableColumnsType, Tag } from "antd";
import { useTranslation } from "react-i18next";

import { useScoreName } from "../ScoreName";
import { formatValue, resultText, ruleText, tally } from "./rules";
import type { GateRule, RuleResult } from "./types";

interface Props {
  rules: readonly GateRule[];
  results: readonly RuleResult[];
  passed: boolean;
}

export function ReportTable({ rules, results, passed }: Props) {
  const { t } = useTranslation();
  const scoreName = useScoreName();
  const counts = tally(results);
  const columns: TableColumnsType<RuleResult> = [
    { title: t("gate.report.rule"), key: "rule",
      render: (_, result) => (rules[result.rule] ? ruleText(rules[result.rule]!, t, scoreName) : `#${result.rule}`) },
    { title: t("gate.report.check"), key: "check", render: (_, result) => scoreName(result.subject) },
    { title: t("gate.report.value"), key: "value", align: "right", render: (_, result) => formatValue(result.value) },
    { title: t("gate.report.threshold"), key: "threshold", align: "right",
      render: (_, result) => `${result.op === ">=" ? "≥" : "≤"} ${formatValue(result.threshold)}` },
    { title: t("gate.report.baseline"), key: "baseline", align: "right",
      render: (_, result) => (result.baseline === null || result.baseline === undefined ? "—"
        : formatValue(result.baseline)) },
    { title: t("gate.report.outcome"), key: "outcome",
      render: (_, result) => (result.passed ? <Tag color="green">{t("gate.report.pass")}</Tag>
        : <Tag color="red">{t("gate.report.fail")}</Tag>) },
    { title: "", key: "why", render: (_, result) => resultText(result, t, scoreName) },
  ];
  return (
    <Flex vertical gap={8} data-testid="gate-report">
      <Alert type={passed ? "success" : "error"} showIcon data-testid="gate-verdict"
             title={passed ? t("gate.report.passed", { passed: counts.passed, total: results.length })
               : t("gate.report.failed", { failed: counts.failed, total: results.length })} />
      <Table<RuleResult> rowKey={(result) => `${result.rule}/${result.kind}/${result.subject}`} size="small"
                         columns={columns} dataSource={[...results]} pagination={false} scroll={{ x: 800 }}
                         rowClassName={(result) => (result.passed ? "" : "gate-failed-row")} />
    </Flex>
  );
}
