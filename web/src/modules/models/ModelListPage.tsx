/** The model registry: every model with its newest version; search, filters, sort, create. */
import { PlusOutlined } from "@ant-design/icons";
import { Button, Flex, Input, Select, Space, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";

import { useCan } from "../../auth/useMe";
import { PageHeader } from "../../components/PageHeader";
import { QueryError } from "../../components/QueryError";
import { formatDateTime } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { formatBytes } from "../data/format";
import { useModels } from "./api";
import { formatParameters } from "./format";
import { ModelFormModal } from "./ModelFormModal";
import { KindTag, StateTag } from "./tags";
import { MODEL_STATES, MODEL_TASKS, type Model, type ModelState, type ModelTask } from "./types";

/** The server's sort values and how the console names them. */
const SORT_LABELS = { "-created_at": "newest", created_at: "oldest", name: "nameAsc", "-name": "nameDesc" } as const;
type Sort = keyof typeof SORT_LABELS;
const SORTS = Object.keys(SORT_LABELS) as Sort[];

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return values.find((item) => item === value);
}

export default function ModelListPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const can = useCan();
  const list = useListParams();
  const q = list.get("q");
  const task = oneOf(MODEL_TASKS, list.get("task"));
  const state = oneOf(MODEL_STATES, list.get("state"));
  const tag = list.get("tag");
  const sort: Sort = oneOf(SORTS, list.get("sort")) ?? "-created_at";
  const models = useModels({ q, task, state, tag, sort, page: list.page, pageSize: list.pageSize });
  const [creating, setCreating] = useState(false);
  const filtered = Boolean(q || task || state || tag);

  const columns: TableColumnsType<Model> = [
    {
      title: t("models.name"), dataIndex: "name", width: 260,
      render: (name: string, model) => (
        <Flex vertical>
          <Link to={`/models/${model.id}`}>{name}</Link>
          {model.description && (
            <Typography.Text type="secondary" ellipsis style={{ maxWidth: 320, fontSize: 12 }}>
              {model.description}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    { title: t("models.task"), dataIndex: "task", width: 120, render: (value: ModelTask) => t(`models.tasks.${value}`) },
    {
      title: t("models.latestVersion"), key: "latest", width: 260,
      render: (_, model) => (model.latest
        ? (
          <Space size={4} wrap>
            <Link to={`/models/${model.id}/versions/${model.latest.number}`}>{`v${model.latest.number}`}</Link>
            <KindTag kind={model.latest.kind} />
            <StateTag state={model.latest.state} />
          </Space>
        )
        : <Typography.Text type="secondary">{t("models.noVersions")}</Typography.Text>),
    },
    { title: t("models.parameters"), key: "parameters", width: 110, align: "right",
      render: (_, model) => formatParameters(model.latest?.parameter_count) },
    { title: t("models.size"), key: "size", width: 100, align: "right",
      render: (_, model) => formatBytes(model.latest?.size_bytes) },
    {
      title: t("models.aliases.title"), dataIndex: "aliases", width: 180,
      render: (aliases: Model["aliases"]) => (
        <Space size={4} wrap>
          {Object.entries(aliases ?? {}).map(([alias, number]) => <Tag key={alias} color="blue">{`@${alias} → v${number}`}</Tag>)}
        </Space>
      ),
    },
    {
      title: t("models.tags"), dataIndex: "tags", width: 180,
      render: (tags: string[]) => (
        <Space size={4} wrap>
          {tags.map((value) => (
            <Tag key={value} style={{ cursor: "pointer" }} onClick={() => list.setFilters({ tag: value })}>{value}</Tag>
          ))}
        </Space>
      ),
    },
    { title: t("models.createdAt"), dataIndex: "created_at", width: 170, render: (value: string) => formatDateTime(value) },
  ];

  return (
    <>
      <PageHeader
        title={t("models.title")}
        extra={can("models:write") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{t("models.newModel")}</Button>
        )}
      />
      <Flex gap={12} wrap style={{ marginBottom: 16 }}>
        <Input.Search allowClear placeholder={t("models.searchPlaceholder")} style={{ width: 260 }} defaultValue={q}
                      onSearch={(value) => list.setFilters({ q: value.trim() })} data-testid="model-search" />
        <Select allowClear placeholder={t("models.task")} style={{ width: 150 }} value={task} data-testid="model-task-filter"
                onChange={(value?: ModelTask) => list.setFilters({ task: value })}
                options={MODEL_TASKS.map((value) => ({ value, label: t(`models.tasks.${value}`) }))} />
        <Select allowClear placeholder={t("models.stateFilter")} style={{ width: 190 }} value={state}
                data-testid="model-state-filter" onChange={(value?: ModelState) => list.setFilters({ state: value })}
                options={MODEL_STATES.map((value) => ({ value, label: t(`models.states.${value}`) }))} />
        <Input.Search allowClear placeholder={t("models.tagFilter")} style={{ width: 180 }} defaultValue={tag} key={tag}
                      onSearch={(value) => list.setFilters({ tag: value.trim() })} data-testid="model-tag-filter" />
        <Select style={{ width: 190 }} value={sort} data-testid="model-sort"
                onChange={(value: Sort) => list.setFilters({ sort: value === "-created_at" ? undefined : value })}
                options={SORTS.map((value) => ({ value, label: t(`models.sorts.${SORT_LABELS[value]}`) }))} />
      </Flex>
      {models.isError && !models.data
        ? <QueryError error={models.error} onRetry={() => void models.refetch()} />
        : (
          <Table<Model>
            rowKey="id" size="middle" columns={columns} dataSource={models.data?.items} loading={models.isPending}
            locale={{ emptyText: filtered ? t("models.noMatch") : t("models.none") }} scroll={{ x: 1300 }}
            data-testid="models-table"
            pagination={{
              current: list.page, pageSize: list.pageSize, total: models.data?.total ?? 0, showSizeChanger: true,
              showTotal: (total) => t("common.total", { total }), onChange: list.setPage,
            }}
          />
        )}
      <ModelFormModal open={creating} onClose={() => setCreating(false)}
                      onCreated={(model) => void navigate(`/models/${model.id}?import=1`)} />
    </>
  );
}
