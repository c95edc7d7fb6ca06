/** Gate decisions, newest first: who checked which version against which run, the verdict and the state it led to; a row opens its report. */
import { Table, type TableColumnsType, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { QueryError } from "../../../components/QueryError";
import { formatDateTime } from "../../../lib/format";
import { StateTag } from "../../models/tags";
import { type DecisionFilter, useDecisions } from "./api";
import { ReportTable } from "./ReportTable";
import type { Decision } from "./types";

const PAGE_SIZE = 10;

export function DecisionsTable({ filter }: { filter: DecisionFilter }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const decisions = useDecisions(filter, page, PAGE_SIZE);

  const columns: TableColumnsType<Decision> = [
    { title: t("gate.decisions.when"), dataIndex: "created_at", width: 170, render: (value: string) => formatDateTime(value) },
    { title: t("gate.decisions.version"), key: "version",
      render: (_, row) => <Link to={`/models/${row.model_id}/versions/${row.version_number}`}>{row.label}</Link> },
    { title: t("gate.decisions.run"), key: "run",
      render: (_, row) => <Link to={`/evaluation/runs/${row.run_id}`}>{`#${row.run_id} ${row.run_name}`}</Link> },
    { title: t("gate.decisions.outcome"), key: "outcome",
      render: (_, row) => (
        <>
          {row.passed ? <Tag color="green">{t("gate.decisions.passed")}</Tag>
            : <Tag color="red">{t("gate.decisions.failed")}</Tag>}
          {row.to_state === null && <Tag color="orange">{t("gate.decisions.refused")}</Tag>}
        </>
      ) },
    { title: t("gate.decisions.state"), key: "state", render: (_, row) => <StateTag state={row.state} /> },
    { title: t("gate.decisions.by"), key: "by", render: (_, row) => row.decided_by ?? t("gate.decisions.bySystem") },
  ];

  if (decisions.isError && !decisions.data) {
    return <QueryError error={decisions.error} onRetry={() => void decisions.refetch()} />;
  }
  return (
    <Table<Decision>
      rowKey="id" size="small" columns={columns} dataSource={decisions.data?.items} loading={decisions.isPending}
      data-testid="gate-decisions"
      locale={{ emptyText: t("gate.decisions.empty") }}
      expandable={{ expandedRowRender: (row) => (
        <>
          {row.refusal && <Typography.Paragraph type="warning">{row.refusal}</Typography.Paragraph>}
          <ReportTable rules={row.rules} results={row.results} passed={row.passed} />
        </>
      ) }}
      pagination={{ current: page, pageSize: PAGE_SIZE, total: decisions.data?.total ?? 0, onChange: setPage,
                    showTotal: (total) => t("common.total", { total }) }}
      scroll={{ x: 800 }}
    />
  );
}
