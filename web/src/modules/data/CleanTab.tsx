/** Cleaning: build a rule set, preview what it changes on the first rows, run it into a new version. */
import { EyeOutlined, PlayCircleOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Col, Empty, Flex, List, Row, Spin, Table, Tag, Typography } from "antd";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";

import type { DataSchema, Job } from "../../api/types";
import { QueryError } from "../../components/QueryError";
import { errorMessage } from "../../lib/errorMessage";
import { useCleaningRules, usePreviewCleaning, useRunCleaning } from "./api";
import { type CleanExample, readCleanPreview, type RuleCounts } from "./cleanPreview";
import { DataJobPanel } from "./DataJobPanel";
import { formatCount } from "./format";
import { RuleBuilder } from "./RuleBuilder";
import { type RuleItem, rulesBody } from "./ruleList";
import { RowView } from "./RowView";

function Side({ value, schema }: { value: unknown; schema: DataSchema }) {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    return <RowView row={value as Record<string, unknown>} schema={schema} />;
  }
  return <div className="llmore-row-text">{typeof value === "string" ? value : JSON.stringify(value)}</div>;
}

export function ExampleDiff({ example, schema }: { example: CleanExample; schema: DataSchema }) {
  const { t } = useTranslation();
  return (
    <Flex vertical gap={4} style={{ width: "100%" }} data-testid="clean-example">
      <Flex gap={8} align="center">
        {example.rule && <Tag>{example.rule}</Tag>}
        {example.id && <Typography.Text type="secondary" code style={{ fontSize: 12 }}>{example.id}</Typography.Text>}
        {example.field && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{example.field}</Typography.Text>}
        {example.after === null && <Tag color="red">{t("data.clean.dropped")}</Tag>}
        {example.reason && <Typography.Text type="secondary">{example.reason}</Typography.Text>}
      </Flex>
      <Row gutter={12}>
        <Col xs={24} md={12}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t("data.clean.before")}</Typography.Text>
          <div className="llmore-diff-before"><Side value={example.before} schema={schema} /></div>
        </Col>
        <Col xs={24} md={12}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t("data.clean.after")}</Typography.Text>
          <div className="llmore-diff-after">
            {example.after === null
              ? <Typography.Text type="secondary">{t("data.clean.droppedRow")}</Typography.Text>
              : <Side value={example.after} schema={schema} />}
          </div>
        </Col>
      </Row>
    </Flex>
  );
}

interface Props {
  datasetId: number;
  number: number;
  schema: DataSchema;
  onVersionCreated: (job: Job) => void;
}

export function CleanTab({ datasetId, number, schema, onVersionCreated }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const catalog = useCleaningRules();
  const previewCall = usePreviewCleaning();
  const runCall = useRunCleaning();
  const [items, setItems] = useState<RuleItem[]>([]);
  const [jobId, setJobId] = useState<number | null>(null);
  const [runError, setRunError] = useState<unknown>(null);

  const body = () => {
    const result = rulesBody(items, catalog.data ?? [], "rule");
    if (!result.ok) {
      message.error(t("data.clean.invalidRule", { index: result.index + 1, name: result.name, field: result.field,
                                                   message: result.message }));
      return null;
    }
    return result.items;
  };
  const preview = () => {
    const rules = body();
    if (rules) previewCall.mutate({ id: datasetId, number, rules });
  };
  const run = async () => {
    const rules = body();
    if (!rules) return;
    setRunError(null);
    try {
      const job = await runCall.mutateAsync({ id: datasetId, number, rules });
      setJobId(job.id);
    } catch (error) {
      setRunError(error);
    }
  };
  const onFinished = useCallback((job: Job) => {
    if (job.state === "succeeded") onVersionCreated(job);
  }, [onVersionCreated]);

  if (catalog.isPending) return <Spin />;
  if (catalog.isError) return <QueryError error={catalog.error} onRetry={() => void catalog.refetch()} />;
  const result = previewCall.data === undefined ? null : readCleanPreview(previewCall.data);
  const busy = runCall.isPending;

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={11}>
        <Card size="small" title={t("data.clean.title", { version: number })}>
          <Typography.Paragraph type="secondary">{t("data.clean.intro")}</Typography.Paragraph>
          <RuleBuilder catalog={catalog.data} items={items} onChange={setItems} disabled={busy}
                       addLabel={t("data.clean.add")} emptyText={t("data.clean.empty")} testId="rule-builder" />
          <Flex gap={8} style={{ marginTop: 16 }}>
            <Button icon={<EyeOutlined />} disabled={items.length === 0} loading={previewCall.isPending}
                    onClick={preview} data-testid="clean-preview">{t("data.clean.preview")}</Button>
            <Button type="primary" icon={<PlayCircleOutlined />} disabled={items.length === 0}
                    loading={runCall.isPending} onClick={() => void run()} data-testid="clean-run">
              {t("data.clean.run")}
            </Button>
          </Flex>
        </Card>
      </Col>
      <Col xs={24} xl={13}>
        <Flex vertical gap={16}>
          {runError !== null && <Alert type="error" showIcon title={errorMessage(runError, t)} />}
          {jobId !== null && <DataJobPanel jobId={jobId} title={t("data.clean.job", { version: number })} onFinished={onFinished} />}
          {previewCall.isError && <Alert type="error" showIcon title={errorMessage(previewCall.error, t)} data-testid="clean-preview-error" />}
          {result === null && !previewCall.isError && (
            <Card size="small"><Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("data.clean.previewHint")} /></Card>
          )}
          {result && (
            <Card size="small" title={t("data.clean.previewTitle")} data-testid="clean-preview-result"
                  extra={result.rows !== null && (
                    <Typography.Text type="secondary">{t("data.clean.previewRows", { n: formatCount(result.rows) })}</Typography.Text>
                  )}>
              <Table<RuleCounts>
                size="small" rowKey={(row, index) => `${row.name}-${index}`} pagination={false} dataSource={result.rules}
                columns={[
                  { title: t("data.clean.rule"), dataIndex: "name", render: (name: string) => <code>{name}</code> },
                  { title: t("data.clean.kept"), dataIndex: "kept", align: "right", render: formatCount },
                  { title: t("data.clean.droppedCount"), dataIndex: "dropped", align: "right", render: formatCount },
                  { title: t("data.clean.changed"), dataIndex: "changed", align: "right", render: formatCount },
                ]}
              />
              <Typography.Title level={5} style={{ marginTop: 16 }}>{t("data.clean.examples")}</Typography.Title>
              {result.examples.length === 0
                ? <Typography.Text type="secondary">{t("data.clean.noExamples")}</Typography.Text>
                : (
                  <List size="small" dataSource={result.examples} style={{ maxHeight: 640, overflow: "auto" }}
                        renderItem={(example, index) => (
                          <List.Item key={index}><ExampleDiff example={example} schema={schema} /></List.Item>
                        )} />
                )}
            </Card>
          )}
        </Flex>
      </Col>
    </Row>
  );
}
