/**
 * One dataset: its settings, a version picker, and the tabs that work on the chosen version
 * (rows, versions and lineage, quality, cleaning, augmentation, split, export). The tab and
 * version live in the URL (`?tab=quality&version=2`), so a view can be linked.
 */
import { ArrowLeftOutlined, DeleteOutlined, EditOutlined, ImportOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Descriptions, Empty, Flex, Result, Select, Space, Tabs, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";

import { ApiError } from "../../api/errors";
import type { Dataset, DatasetVersion, Job } from "../../api/types";
import { useCan } from "../../auth/useMe";
import { FullPageSpin } from "../../components/FullPageSpin";
import { PageHeader } from "../../components/PageHeader";
import { QueryError } from "../../components/QueryError";
import { errorMessage } from "../../lib/errorMessage";
import { formatDateTime } from "../../lib/format";
import { datasetKeys, useDataset, useDeleteDataset, useVersions, versionOfJob } from "./api";
import { AugmentTab } from "./AugmentTab";
import { CleanTab } from "./CleanTab";
import { DatasetFormModal } from "./DatasetFormModal";
import { ExportTab } from "./ExportTab";
import { formatCount, formatDiff } from "./format";
import { QualityTab } from "./QualityTab";
import { RowsTab } from "./RowsTab";
import { SplitTab } from "./SplitTab";
import { OperationTag, SchemaTag, SensitivityTag, VisibilityTag } from "./tags";
import { VersionsTab } from "./VersionsTab";

const TABS = ["rows", "versions", "quality", "clean", "augment", "split", "export"] as const;
type TabKey = (typeof TABS)[number];
const WRITE_TABS: ReadonlySet<TabKey> = new Set(["clean", "augment", "split"]);

function DatasetDetail({ dataset, versions }: { dataset: Dataset; versions: DatasetVersion[] }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const can = useCan();
  const canWrite = can("datasets:write");
  const remove = useDeleteDataset();
  const [editing, setEditing] = useState(false);
  const [searchParams, setSearchParams] = useSearchParams();

  const requested = Number(searchParams.get("version"));
  const version = versions.find((item) => item.number === requested)
    ?? versions.find((item) => item.number === dataset.latest_version) ?? versions[0];
  // A version named in the URL but not in the list was created after the list was fetched
  // (a job just finished): fetch the list again rather than showing an older version.
  const requestedMissing = requested > 0 && !versions.some((item) => item.number === requested);
  useEffect(() => {
    if (requestedMissing) void queryClient.invalidateQueries({ queryKey: datasetKeys.versions(dataset.id) });
  }, [requestedMissing, dataset.id, queryClient]);
  const tabParam = searchParams.get("tab") as TabKey | null;
  const visibleTabs = TABS.filter((key) => canWrite || !WRITE_TABS.has(key));
  const tab: TabKey = tabParam && visibleTabs.includes(tabParam) ? tabParam : "rows";

  const setView = useCallback((changes: { tab?: TabKey; version?: number }) => {
    setSearchParams((current) => {
      const next = new URLSearchParams(current);
      if (changes.tab) next.set("tab", changes.tab);
      if (changes.version !== undefined) next.set("version", String(changes.version));
      return next;
    });
  }, [setSearchParams]);

  const onVersionCreated = useCallback((job: Job) => {
    void queryClient.invalidateQueries({ queryKey: datasetKeys.detail(dataset.id) });
    void queryClient.invalidateQueries({ queryKey: ["datasets", "list"] });
    const number = versionOfJob(job);
    const diff = job.result?.diff;
    if (number !== null) {
      message.success(t("data.versionCreated", {
        version: number,
        diff: typeof diff === "object" && diff !== null ? formatDiff(diff as Record<string, number>) : "",
      }));
      setView({ version: number, tab: "versions" });
    }
  }, [dataset.id, message, queryClient, setView, t]);

  const confirmDelete = () => {
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
          void navigate("/data");
        } catch (error) {
          message.error(errorMessage(error, t));
        }
      },
    });
  };

  const tabContent = (key: TabKey, current: DatasetVersion) => {
    switch (key) {
      case "rows": return <RowsTab datasetId={dataset.id} version={current} />;
      case "versions": return <VersionsTab versions={versions} current={current.number} onSelect={(n) => setView({ version: n })} />;
      case "quality": return <QualityTab datasetId={dataset.id} number={current.number} canWrite={canWrite} />;
      case "clean": return <CleanTab datasetId={dataset.id} number={current.number} schema={current.data_schema} onVersionCreated={onVersionCreated} />;
      case "augment": return <AugmentTab datasetId={dataset.id} number={current.number} onVersionCreated={onVersionCreated} />;
      case "split": return <SplitTab datasetId={dataset.id} number={current.number} schema={current.data_schema} splits={current.splits} onVersionCreated={onVersionCreated} />;
      default: return <ExportTab datasetId={dataset.id} number={current.number} datasetName={dataset.name} schema={current.data_schema} splits={current.splits} />;
    }
  };

  const importButton = canWrite && (
    <Link to={`/data/${dataset.id}/import`}>
      <Button type={version ? "default" : "primary"} icon={<ImportOutlined />}>{t("data.import.action")}</Button>
    </Link>
  );

  return (
    <>
      <PageHeader
        title={<Space wrap>{dataset.name}<SensitivityTag value={dataset.sensitivity} /><VisibilityTag value={dataset.visibility} /></Space>}
        extra={
          <>
            <Link to="/data"><Button icon={<ArrowLeftOutlined />}>{t("common.back")}</Button></Link>
            {importButton}
            {canWrite && <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>{t("common.edit")}</Button>}
            {canWrite && <Button danger icon={<DeleteOutlined />} onClick={confirmDelete}>{t("common.delete")}</Button>}
          </>
        }
      >
        {dataset.description && <Typography.Paragraph type="secondary" style={{ margin: 0 }}>{dataset.description}</Typography.Paragraph>}
      </PageHeader>

      {!version
        ? (
          <Empty description={t("data.noVersions")} style={{ marginTop: 48 }} data-testid="no-versions">
            {importButton}
          </Empty>
        )
        : (
          <>
            <Flex gap={16} align="center" wrap style={{ marginBottom: 8 }}>
              <Select
                value={version.number} style={{ minWidth: 320 }} data-testid="version-select"
                onChange={(number: number) => setView({ version: number })}
                options={versions.map((item) => ({
                  value: item.number,
                  label: `v${item.number} · ${t(`data.operations.${item.operation as "import"}`, { defaultValue: item.operation })} · ${t("data.versions.rowsCount", { n: formatCount(item.row_count) })}`,
                }))}
              />
              <Descriptions size="small" column={{ xs: 1, md: 4 }} style={{ flex: 1, minWidth: 480 }}
                            items={[
                              { key: "schema", label: t("data.schema"), children: <SchemaTag value={version.data_schema} /> },
                              { key: "rows", label: t("data.rowCount"), children: <span data-testid="version-row-count">{formatCount(version.row_count)}</span> },
                              { key: "operation", label: t("data.versions.operation"), children: <OperationTag value={version.operation} /> },
                              { key: "created", label: t("data.createdAt"), children: formatDateTime(version.created_at) },
                            ]} />
            </Flex>
            <ImportProblems version={version} />
            <Tabs
              activeKey={tab} onChange={(key) => setView({ tab: key as TabKey })} destroyOnHidden
              items={visibleTabs.map((key) => ({ key, label: t(`data.tabs.${key}`), children: tabContent(key, version) }))}
            />
          </>
        )}
      <DatasetFormModal open={editing} dataset={dataset} onClose={() => setEditing(false)} />
    </>
  );
}

/** An import version that dropped rows says which lines and why. */
function ImportProblems({ version }: { version: DatasetVersion }) {
  const { t } = useTranslation();
  const invalid = typeof version.stats.invalid_rows === "number" ? version.stats.invalid_rows : 0;
  const errors = Array.isArray(version.stats.errors) ? version.stats.errors as { line?: number; field?: string; message?: string }[] : [];
  if (version.operation !== "import" || invalid === 0) return null;
  return (
    <details style={{ marginBottom: 8 }} data-testid="import-errors">
      <summary>
        <Typography.Text type="warning">{t("data.droppedRows", { n: invalid })}</Typography.Text>
      </summary>
      <ul style={{ margin: "4px 0 0", paddingInlineStart: 24 }}>
        {errors.slice(0, 50).map((error, index) => (
          <li key={index}>
            <Typography.Text>
              {t("data.errorLine", { line: error.line ?? "?", field: error.field || "—", message: error.message ?? "" })}
            </Typography.Text>
          </li>
        ))}
      </ul>
    </details>
  );
}

export default function DatasetDetailPage() {
  const { t } = useTranslation();
  const rawId = useParams().datasetId ?? "";
  const datasetId = /^\d+$/.test(rawId) ? Number(rawId) : null;
  const dataset = useDataset(datasetId ?? 0, datasetId !== null);
  const versions = useVersions(datasetId ?? 0, datasetId !== null);
  if (datasetId === null || (dataset.error instanceof ApiError && dataset.error.status === 404)) {
    return <Result status="404" title={t("data.notFound", { id: rawId })}
                   extra={<Link to="/data"><Button>{t("common.back")}</Button></Link>} />;
  }
  if (dataset.isPending || versions.isPending) return <FullPageSpin />;
  if (dataset.isError) return <QueryError error={dataset.error} onRetry={() => void dataset.refetch()} />;
  if (versions.isError) return <QueryError error={versions.error} onRetry={() => void versions.refetch()} />;
  return <DatasetDetail dataset={dataset.data} versions={versions.data} />;
}
