/**
 * Deploy gates (`/evaluation/gates`): each gated model with its rules and last decision, where
 * to edit the rules and check a version against a run, and the decisions made. `?model=&number=`
 * (the models module's version page links here) shows one version's decisions.
 */
import { PlusOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Flex, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { useCan } from "../../../auth/useMe";
import { PageHeader } from "../../../components/PageHeader";
import { QueryError } from "../../../components/QueryError";
import { type ListParams, useListParams } from "../../../lib/useListParams";
import { StateTag } from "../../models/tags";
import { useScoreName } from "../ScoreName";
import { type DecisionFilter, useGates } from "./api";
import { CheckModal } from "./CheckModal";
import { DecisionsTable } from "./DecisionsTable";
import { ruleText } from "./rules";
import { RulesEditor } from "./RulesEditor";
import type { Gate } from "./types";

function filterFrom(list: ListParams): DecisionFilter {
  const modelId = Number(list.get("model"));
  const number = Number(list.get("number"));
  if (!Number.isInteger(modelId) || modelId < 1) return {};
  return { modelId, ...(Number.isInteger(number) && number >= 1 ? { number } : {}) };
}

export default function GatesPage() {
  const { t } = useTranslation();
  const scoreName = useScoreName();
  const can = useCan();
  const list = useListParams();
  const gates = useGates(list.page, list.pageSize);
  const filter = filterFrom(list);
  const runId = Number(list.get("run")) || undefined;
  const [editing, setEditing] = useState<Gate | null | undefined>(undefined);
  const [checking, setChecking] = useState<Gate | null>(null);
  const canWrite = can("evaluation:write");
  const filteredGate = gates.data?.items.find((gate) => gate.model_id === filter.modelId);

  const columns: TableColumnsType<Gate> = [
    { title: t("gate.model"), key: "model",
      render: (_, gate) => (
        <Flex vertical gap={2}>
          <Link to={`/models/${gate.model_id}`}>{gate.model_name}</Link>
          {gate.description && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{gate.description}</Typography.Text>}
        </Flex>
      ) },
    { title: t("gate.rules"), key: "rules",
      render: (_, gate) => (gate.rules.length === 0 ? <Typography.Text type="warning">{t("gate.noRules")}</Typography.Text>
        : (
          <Flex gap={4} wrap data-testid="gate-rules">
            {gate.rules.map((rule, index) => <Tag key={index}>{ruleText(rule, t, scoreName)}</Tag>)}
          </Flex>
        )) },
    { title: t("gate.lastDecision"), key: "last", width: 260,
      render: (_, gate) => (gate.last_decision
        ? (
          <Flex gap={4} align="center" wrap>
            <Link to={`/models/${gate.model_id}/versions/${gate.last_decision.version_number}`}>{gate.last_decision.label}</Link>
            {gate.last_decision.passed ? <Tag color="green">{t("gate.decisions.passed")}</Tag>
              : <Tag color="red">{t("gate.decisions.failed")}</Tag>}
            <StateTag state={gate.last_decision.state} />
          </Flex>
        )
        : <Typography.Text type="secondary">{t("gate.none")}</Typography.Text>) },
    { title: t("common.actions"), key: "actions", width: 320,
      render: (_, gate) => (
        <Flex gap={8} wrap>
          {canWrite && <Button size="small" onClick={() => setEditing(gate)} data-testid="gate-edit">{t("gate.edit")}</Button>}
          <Button size="small" type="primary" onClick={() => setChecking(gate)} data-testid="gate-check-open">
            {t("gate.check")}
          </Button>
          <Button size="small" onClick={() => list.setFilters({ model: String(gate.model_id), number: undefined })}>
            {t("gate.decisionsOf")}
          </Button>
        </Flex>
      ) },
  ];

  return (
    <>
      <PageHeader title={t("gate.title")} extra={canWrite && (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)} data-testid="gate-new">
          {t("gate.newGate")}
        </Button>
      )}>
        <Typography.Text type="secondary">{t("gate.help")}</Typography.Text>
        {runId && <Alert type="info" showIcon title={t("gate.fromRun", { id: runId })} data-testid="gate-from-run" />}
      </PageHeader>
      <Flex vertical gap={16}>
        {gates.isError && !gates.data
          ? <QueryError error={gates.error} onRetry={() => void gates.refetch()} />
          : (
            <Table<Gate>
              rowKey="id" size="middle" columns={columns} dataSource={gates.data?.items} loading={gates.isPending}
              data-testid="gates" locale={{ emptyText: t("gate.empty") }} scroll={{ x: 900 }}
              pagination={{ current: list.page, pageSize: list.pageSize, total: gates.data?.total ?? 0,
                            showTotal: (total) => t("common.total", { total }), onChange: list.setPage }}
            />
          )}
        <Card size="small" title={filter.modelId
          ? t("gate.decisions.filtered", { label: `${filteredGate?.model_name ?? `#${filter.modelId}`}`
                                                  + (filter.number ? `:${filter.number}` : "") })
          : t("gate.decisions.title")}
              extra={filter.modelId && <Button size="small" onClick={() => list.setFilters({ model: undefined, number: undefined })}>{t("gate.decisions.showAll")}</Button>}>
          <DecisionsTable filter={filter} />
        </Card>
      </Flex>
      <RulesEditor open={editing !== undefined} gate={editing ?? null} onClose={() => setEditing(undefined)}
                   gatedModelIds={new Set((gates.data?.items ?? []).map((gate) => gate.model_id))} />
      <CheckModal gate={checking} canDecide={canWrite && can("models:write")} runId={runId}
                  onClose={() => setChecking(null)} />
    </>
  );
}
