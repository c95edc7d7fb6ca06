import { PlusOutlined } from "@ant-design/icons";
import { App, Button, Flex, Input, Space, Table, type TableColumnsType, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";

import type { Dataset } from "../../api/types";
import { useCan } from "../../auth/useMe";
import { PageHeader } from "../../components/PageHeader";
import { QueryError } from "../../components/QueryError";
import { errorMessage } from "../../lib/errorMessage";
import { formatDateTime } from "../../lib/format";
import { useListParams } from "../../lib/useListParams";
import { useDatasets, useDeleteDataset } from "./api";
import { DatasetFormModal } from "./DatasetFormModal";
import { formatBytes, formatCount } from "./format";
import { SchemaTag, SensitivityTag, VisibilityTag } from "./tags";

export default function DatasetListPage() {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const navigate = useNavigate();
  const can = useCan();
  const canWrite = can("datasets:write");
  const list = useListParams();
  const q = list.get("q");
  const datasets = useDatasets({ q, page: list.page, pageSize: list.pageSize });
  const remove = useDeleteDataset();
  const [creating, setCreating] = useState(false);

  const confirmDelete = (dataset: Dataset) => {
    modal.confirm({
      title: t("data.deleteConfirm", { name: dataset.name }),
      content: t("data.deleteHelp"),
      okText: t("common.delete"),
      okButtonProps: { danger: true },
      cancelText: t("common.cancel"),
      onOk: async () => {
        try {
          await remove.mutateAsync(dataset.id);
          message.success(t("data.deleted", { name: dataset.name }));
        } catch (error) {
          message.error(errorMessage(error, t));
        }
      },
    });
  };

  const columns: TableColumnsType<Dataset> = [
    {
      title: t("data.name"), dataIndex: "name", width: 280,
      render: (name: string, dataset) => (
        <Flex vertical>
          <Link to={`/data/${dataset.id}`}>{name}</Link>
          {dataset.description && (
            <Typography.Text type="secondary" ellipsis style={{ maxWidth: 360, fontSize: 12 }}>
              {dataset.description}
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    {
      title: t("data.latestVersion"), dataIndex: "latest_version", width: 110,
      render: (value: number) => (value > 0 ? `v${value}` : <Typography.Text type="secondary">{t("data.empty")}</Typography.Text>),
    },
    {
      title: t("data.schema"), key: "schema", width: 150,
      render: (_, dataset) => (dataset.latest ? <SchemaTag value={dataset.latest.data_schema} /> : "—"),
    },
    { title: t("data.rowCount"), key: "rows", width: 110, align: "right",
      render: (_, dataset) => formatCount(dataset.latest?.row_count) },
    { title: t("data.size"), key: "size", width: 100, align: "right",
      render: (_, dataset) => formatBytes(dataset.latest?.size_bytes) },
    { title: t("data.sensitivity"), dataIndex: "sensitivity", width: 120,
      render: (value: Dataset["sensitivity"]) => <SensitivityTag value={value} /> },
    { title: t("data.visibility"), dataIndex: "visibility", width: 110,
      render: (value: Dataset["visibility"]) => <VisibilityTag value={value} /> },
    { title: t("data.createdAt"), dataIndex: "created_at", width: 180, render: (value: string) => formatDateTime(value) },
  ];
  if (canWrite) {
    columns.push({
      title: t("common.actions"), key: "actions", width: 170, fixed: "right",
      render: (_, dataset) => (
        <Space size={0}>
          <Link to={`/data/${dataset.id}/import`}><Button type="link" size="small">{t("data.import.action")}</Button></Link>
          <Button type="link" size="small" danger onClick={() => confirmDelete(dataset)}>{t("common.delete")}</Button>
        </Space>
      ),
    });
  }

  return (
    <>
      <PageHeader
        title={t("data.title")}
        extra={canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{t("data.newDataset")}</Button>
        )}
      />
      <Flex gap={12} wrap style={{ marginBottom: 16 }}>
        <Input.Search allowClear placeholder={t("data.searchPlaceholder")} style={{ width: 280 }} defaultValue={q}
                      onSearch={(value) => list.setFilters({ q: value.trim() })} data-testid="dataset-search" />
      </Flex>
      {datasets.isError && !datasets.data
        ? <QueryError error={datasets.error} onRetry={() => void datasets.refetch()} />
        : (
          <Table<Dataset>
            rowKey="id" size="middle" columns={columns} dataSource={datasets.data?.items} loading={datasets.isPending}
            locale={{ emptyText: q ? t("data.noMatch") : t("data.none") }} scroll={{ x: 1100 }}
            pagination={{
              current: list.page, pageSize: list.pageSize, total: datasets.data?.total ?? 0, showSizeChanger: true,
              showTotal: (total) => t("common.total", { total }), onChange: list.setPage,
            }}
          />
        )}
      <DatasetFormModal open={creating} onClose={() => setCreating(false)}
                        onCreated={(dataset) => void navigate(`/data/${dataset.id}`)} />
    </>
  );
}
