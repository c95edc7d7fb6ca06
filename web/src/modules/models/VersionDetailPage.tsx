/**
 * One version of a model (`/models/:modelId/versions/:number`, the page other modules link to):
 * its metadata, lineage graph, lifecycle with the legal moves and history, aliases, and the jobs
 * that make something from it (merge, convert, export).
 */
import { Card, Col, Descriptions, Flex, Row, Space, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { useCan } from "../../auth/useMe";
import { FullPageSpin } from "../../components/FullPageSpin";
import { PageHeader } from "../../components/PageHeader";
import { QueryError } from "../../components/QueryError";
import { formatDateTime } from "../../lib/format";
import { formatBytes, formatCount } from "../data/format";
import { AliasEditor } from "./AliasEditor";
import {
  useLifecycle, useLineage, useModel, useModelVersion, useModelVersions, useVersionHistory,
} from "./api";
import { formatParameters } from "./format";
import { LifecyclePanel } from "./LifecyclePanel";
import { LineageGraph } from "./LineageGraph";
import { OperationsPanel } from "./OperationsPanel";
import { KindTag, StateTag } from "./tags";
import type { ModelVersion } from "./types";

function Metadata({ version }: { version: ModelVersion }) {
  const { t } = useTranslation();
  const dash = <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} data-testid="version-metadata" items={[
      { key: "kind", label: t("models.kind"), children: <KindTag kind={version.kind} /> },
      { key: "format", label: t("models.format"), children: version.format },
      { key: "train", label: t("models.trainFramework"), children: version.train_framework ?? dash },
      { key: "inference", label: t("models.inferenceFramework"), children: version.inference_framework },
      { key: "parameters", label: t("models.parameters"),
        children: version.parameter_count === null ? dash
          : `${formatParameters(version.parameter_count)} (${formatCount(version.parameter_count)})` },
      { key: "size", label: t("models.size"), children: formatBytes(version.size_bytes) },
      { key: "context", label: t("models.contextLength"), children: formatCount(version.context_length) },
      { key: "template", label: t("models.chatTemplate"),
        children: version.has_chat_template ? t("common.yes") : t("common.no") },
      { key: "architecture", label: t("models.architecture"), children: version.architecture ?? dash },
      { key: "dtype", label: t("models.dtype"), children: version.dtype ?? dash },
      { key: "license", label: t("models.license"), children: version.license || dash },
      { key: "storage", label: t("models.storage"), children: t(`models.storages.${version.storage === "copy" ? "copy" : "reference"}`) },
      { key: "path", label: t("models.path"), span: "filled",
        children: <Typography.Text code copyable>{version.path}</Typography.Text> },
      ...(version.uri ? [{ key: "uri", label: t("models.uri"), span: "filled" as const,
                          children: <Typography.Text code copyable>{version.uri}</Typography.Text> }] : []),
      { key: "job", label: t("models.job"),
        children: version.job_id ? <Link to={`/jobs/${version.job_id}`}>#{version.job_id}</Link> : dash },
      { key: "created", label: t("models.createdAt"), children: formatDateTime(version.created_at) },
      ...(version.description ? [{ key: "description", label: t("models.description"), span: "filled" as const,
                                   children: version.description }] : []),
    ]} />
  );
}

export default function VersionDetailPage() {
  const { t } = useTranslation();
  const params = useParams();
  const key = { id: Number(params.modelId), number: Number(params.number) };
  const can = useCan();
  const canWrite = can("models:write");
  const model = useModel(key.id);
  const versions = useModelVersions(key.id);
  const version = useModelVersion(key);
  const history = useVersionHistory(key);
  const lineage = useLineage(key);
  const rules = useLifecycle();

  const failed = [model, version, versions, history, lineage, rules].find((query) => query.isError);
  if (failed) return <QueryError error={failed.error} onRetry={() => void failed.refetch()} />;
  if (!model.data || !version.data || !versions.data || !history.data || !lineage.data || !rules.data) {
    return <FullPageSpin />;
  }
  const current = version.data;
  return (
    <>
      <PageHeader title={
        <Space>
          {current.reference}
          <StateTag state={current.state} />
          {(current.aliases ?? []).map((alias) => <Tag key={alias} color="blue">@{alias}</Tag>)}
        </Space>
      }>
        <Flex gap={16} wrap>
          <Link to={`/models/${key.id}`}>{t("models.backToModel", { name: model.data.name })}</Link>
          {can("evaluation:read") && (
            <Link to={`/evaluation/gates?model=${key.id}&number=${key.number}`} data-testid="version-gate-decisions">
              {t("gate.versionLink")}
            </Link>
          )}
        </Flex>
      </PageHeader>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={15}>
          <Flex vertical gap={16}>
            <Metadata version={current} />
            <Card size="small" title={t("models.lineage.title")}>
              <LineageGraph version={current} lineage={lineage.data} />
            </Card>
            {canWrite && <OperationsPanel version={current} />}
          </Flex>
        </Col>
        <Col xs={24} xl={9}>
          <Flex vertical gap={16}>
            <LifecyclePanel version={current} rules={rules.data} history={history.data} canWrite={canWrite} />
            <AliasEditor model={model.data} versions={versions.data} canWrite={canWrite} number={current.number} />
          </Flex>
        </Col>
      </Row>
    </>
  );
}
