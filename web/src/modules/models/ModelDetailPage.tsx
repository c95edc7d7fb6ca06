/**
 * One model: its settings, aliases and versions (kind, state, size, parameters, context length),
 * with edit, soft delete and import. An import that runs as a job is followed on the page.
 */
import { DeleteOutlined, EditOutlined, ImportOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Col, Descriptions, Flex, Row, Space, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";

import type { Job } from "../../api/types";
import { useCan } from "../../auth/useMe";
import { FullPageSpin } from "../../components/FullPageSpin";
import { PageHeader } from "../../components/PageHeader";
import { QueryError } from "../../components/QueryError";
import { errorMessage } from "../../lib/errorMessage";
import { formatDateTime } from "../../lib/format";
import { DataJobPanel } from "../data/DataJobPanel";
import { formatBytes, formatCount } from "../data/format";
import { AliasEditor } from "./AliasEditor";
import { modelKeys, useDeleteModel, useModel, useModelVersions } from "./api";
import { formatParameters } from "./format";
import { ImportVersionModal } from "./ImportVersionModal";
import { ModelFormModal } from "./ModelFormModal";
import { KindTag, StateTag } from "./tags";
import type { Model, ModelVersion } from "./types";

function ModelDetail({ model, versions }: { model: Model; versions: ModelVersion[] }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const can = useCan();
  const canWrite = can("models:write");
  const remove = useDeleteModel();
  const [searchParams, setSearchParams] = useSearchParams();
  const importing = searchParams.get("import") === "1" && canWrite;
  const [editing, setEditing] = useState(false);
  const [jobs, setJobs] = useState<Job[]>([]);

  const setImporting = (open: boolean) => setSearchParams((current) => {
    const next = new URLSearchParams(current);
    if (open) next.set("import", "1"); else next.delete("import");
    return next;
  }, { replace: true });

  const onJobFinished = useCallback((job: Job) => {
    void queryClient.invalidateQueries({ queryKey: modelKeys.detail(model.id) });
    if (job.state === "succeeded") message.success(t("models.import.finished", { id: job.id }));
  }, [message, model.id, queryClient, t]);

  const confirmDelete = () => {
    modal.confirm({
      title: t("models.deleteConfirm", { name: model.name }),
      content: t("models.deleteHelp"),
      okText: t("common.delete"), okButtonProps: { danger: true }, cancelText: t("common.cancel"),
      onOk: async () => {
        try {
          await remove.mutateAsync(model.id);
          message.success(t("models.deleted", { name: model.name }));
          void navigate("/models");
        } catch (error) {
          message.error(errorMessage(error, t));
        }
      },
    });
  };

  const aliasesOf = (version: ModelVersion) => (version.aliases ?? []).map((alias) => <Tag key={alias} color="blue">@{alias}</Tag>);
  const columns: TableColumnsType<ModelVersion> = [
    { title: t("models.version"), dataIndex: "number", width: 80,
      render: (number: number) => <Link to={`/models/${model.id}/versions/${number}`}>{`v${number}`}</Link> },
    { title: t("models.kind"), dataIndex: "kind", width: 100, render: (kind: ModelVersion["kind"]) => <KindTag kind={kind} /> },
    { title: t("models.state"), dataIndex: "state", width: 110,
      render: (state: ModelVersion["state"]) => <StateTag state={state} /> },
    { title: t("models.size"), dataIndex: "size_bytes", width: 100, align: "right", render: (v: number) => formatBytes(v) },
    { title: t("models.parameters"), dataIndex: "parameter_count", width: 110, align: "right",
      render: (v: number | null) => formatParameters(v) },
    { title: t("models.contextLength"), dataIndex: "context_length", width: 120, align: "right",
      render: (v: number | null) => formatCount(v) },
    { title: t("models.format"), dataIndex: "format", width: 110 },
    { title: t("models.aliases.title"), key: "aliases", width: 160, render: (_, version) => <Space size={4} wrap>{aliasesOf(version)}</Space> },
    { title: t("models.createdAt"), dataIndex: "created_at", width: 170, render: (v: string) => formatDateTime(v) },
  ];

  return (
    <>
      <PageHeader
        title={<Space>{model.name}<Tag>{t(`models.tasks.${model.task}`)}</Tag></Space>}
        extra={canWrite && (
          <>
            <Button type="primary" icon={<ImportOutlined />} onClick={() => setImporting(true)}>{t("models.import.action")}</Button>
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>{t("common.edit")}</Button>
            <Button danger icon={<DeleteOutlined />} onClick={confirmDelete}>{t("common.delete")}</Button>
          </>
        )}
      >
        <Link to="/models">{t("models.backToList")}</Link>
      </PageHeader>
      <Flex vertical gap={16}>
        {jobs.map((job) => (
          <DataJobPanel key={job.id} jobId={job.id} title={t("models.import.jobTitle")} onFinished={onJobFinished} logOpen />
        ))}
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={14}>
            <Descriptions size="small" column={1} bordered items={[
              { key: "description", label: t("models.description"),
                children: model.description || <Typography.Text type="secondary">—</Typography.Text> },
              { key: "tags", label: t("models.tags"), children: model.tags.length > 0
                ? <Space size={4} wrap>{model.tags.map((tag) => <Tag key={tag}>{tag}</Tag>)}</Space> : "—" },
              { key: "created", label: t("models.createdAt"), children: formatDateTime(model.created_at) },
            ]} />
          </Col>
          <Col xs={24} xl={10}>
            <AliasEditor model={model} versions={versions} canWrite={canWrite} />
          </Col>
        </Row>
        <Table<ModelVersion>
          rowKey="id" size="small" columns={columns} dataSource={versions} pagination={false} scroll={{ x: 1100 }}
          data-testid="model-versions" locale={{ emptyText: t("models.noVersionsHelp") }}
        />
      </Flex>
      <ModelFormModal open={editing} model={model} onClose={() => setEditing(false)} />
      <ImportVersionModal open={importing} model={model} onClose={() => setImporting(false)}
                          onRegistered={(version) => void navigate(`/models/${model.id}/versions/${version.number}`)}
                          onJob={(job) => setJobs((current) => [job, ...current])} />
    </>
  );
}

export default function ModelDetailPage() {
  const modelId = Number(useParams().modelId);
  const model = useModel(modelId);
  const versions = useModelVersions(modelId);
  if (model.isError) return <QueryError error={model.error} onRetry={() => void model.refetch()} />;
  if (versions.isError) return <QueryError error={versions.error} onRetry={() => void versions.refetch()} />;
  if (!model.data || !versions.data) return <FullPageSpin />;
  return <ModelDetail model={model.data} versions={versions.data} />;
}
