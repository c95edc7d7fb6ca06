/** The versions of a dataset: a table, and their lineage (parent → child, operation, diff). */
import { BranchesOutlined } from "@ant-design/icons";
import { Button, Card, Col, Flex, Row, Table, type TableColumnsType, Tag, Timeline, Tooltip, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import type { DatasetVersion } from "../../api/types";
import { formatDateTime } from "../../lib/format";
import { formatBytes, formatCount, formatDiff, formatSplits } from "./format";
import { lineage } from "./lineage";
import { OperationTag, SchemaTag } from "./tags";

interface Props {
  versions: DatasetVersion[];
  current: number;
  onSelect: (number: number) => void;
}

export function DiffText({ diff }: { diff: Record<string, number> | null | undefined }) {
  const { t } = useTranslation();
  const text = formatDiff(diff);
  if (!text) return null;
  return (
    <Tooltip title={t("data.versions.diffHelp", {
      added: diff?.added ?? 0, removed: diff?.removed ?? 0, changed: diff?.changed ?? 0,
    })}>
      <Typography.Text code data-testid="version-diff">{text}</Typography.Text>
    </Tooltip>
  );
}

export function VersionsTab({ versions, current, onSelect }: Props) {
  const { t } = useTranslation();
  const columns: TableColumnsType<DatasetVersion> = [
    {
      title: t("data.versions.number"), dataIndex: "number", width: 80,
      render: (number: number) => (
        <Button type="link" size="small" onClick={() => onSelect(number)} style={{ paddingInline: 0 }}>
          {number === current ? <strong>{`v${number}`}</strong> : `v${number}`}
        </Button>
      ),
    },
    { title: t("data.versions.operation"), dataIndex: "operation", width: 110,
      render: (value: string) => <OperationTag value={value} /> },
    { title: t("data.versions.parent"), key: "parent", width: 80,
      render: (_, version) => {
        const parent = versions.find((item) => item.id === version.parent_id);
        return parent ? `v${parent.number}` : "—";
      } },
    { title: t("data.schema"), dataIndex: "data_schema", width: 140,
      render: (value: DatasetVersion["data_schema"]) => <SchemaTag value={value} /> },
    { title: t("data.rowCount"), dataIndex: "row_count", width: 100, align: "right",
      render: (value: number) => <span data-testid="version-rows">{formatCount(value)}</span> },
    { title: t("data.versions.diff"), dataIndex: "diff", width: 140,
      render: (diff: Record<string, number>) => <DiffText diff={diff} /> },
    { title: t("data.versions.invalid"), key: "invalid", width: 100, align: "right",
      render: (_, version) => {
        const invalid = version.stats.invalid_rows;
        return typeof invalid === "number" && invalid > 0 ? <Tag color="warning">{formatCount(invalid)}</Tag> : "—";
      } },
    { title: t("data.versions.splits"), dataIndex: "splits", width: 150,
      render: (splits: Record<string, number> | null) => formatSplits(splits) || "—" },
    { title: t("data.size"), dataIndex: "size_bytes", width: 100, align: "right", render: (v: number) => formatBytes(v) },
    { title: t("data.versions.job"), dataIndex: "job_id", width: 80,
      render: (jobId: number | null) => (jobId ? <Link to={`/jobs/${jobId}`}>#{jobId}</Link> : "—") },
    { title: t("data.createdAt"), dataIndex: "created_at", width: 170, render: (value: string) => formatDateTime(value) },
  ];
  const nodes = lineage(versions);
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xxl={17}>
        <Table<DatasetVersion>
          rowKey="id" size="small" columns={columns} dataSource={versions} pagination={false} scroll={{ x: 1200 }}
          data-testid="versions-table"
          rowClassName={(version) => (version.number === current ? "ant-table-row-selected" : "")}
        />
      </Col>
      <Col xs={24} xxl={7}>
        <Card size="small" title={<Flex gap={8}><BranchesOutlined />{t("data.versions.lineage")}</Flex>}
              data-testid="lineage">
          <Timeline
            items={nodes.map((node) => ({
              key: node.version.id,
              color: node.version.number === current ? "blue" : "gray",
              content: (
                <Flex vertical gap={2} style={{ paddingInlineStart: node.depth * 16 }}>
                  <Flex gap={6} align="center" wrap>
                    <Button type="link" size="small" style={{ paddingInline: 0 }}
                            onClick={() => onSelect(node.version.number)}>
                      {`v${node.version.number}`}
                    </Button>
                    {node.parentNumber !== null && (
                      <Typography.Text type="secondary">{t("data.versions.from", { parent: node.parentNumber })}</Typography.Text>
                    )}
                    <OperationTag value={node.version.operation} />
                  </Flex>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t("data.versions.rowsCount", { n: formatCount(node.version.row_count) })}
                    {node.version.operation !== "import" && formatDiff(node.version.diff) ? ` · ${formatDiff(node.version.diff)}` : ""}
                  </Typography.Text>
                </Flex>
              ),
            }))}
          />
        </Card>
      </Col>
    </Row>
  );
}
