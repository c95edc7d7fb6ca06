/**
 * The per-example browser of a run: every model's answer to every item with its reference and
 * scores, filtered by model, source, dimension, text and a score threshold (kept in the URL),
 * paged by the server, rows expandable to the full prompt, and exported as JSON Lines or CSV.
 */
import { DownloadOutlined } from "@ant-design/icons";
import { Button, Card, Descriptions, Flex, Input, InputNumber, Select, Table, type TableColumnsType, Tag, Typography }
  from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";

import { QueryError } from "../../components/QueryError";
import { recordsExportUrl, useEvalRecords } from "./api";
import { filtersFromSearch, promptText, recordSources, type RecordFilters, scoreNames, searchWithFilters }
  from "./records";
import { useScoreName } from "./ScoreName";
import { formatScore } from "./scores";
import { DIMENSIONS, type EvalRecord, type EvalRun } from "./types";

const PAGE_SIZE = 10;

const clip = (text: string | null, length = 160) =>
  text === null ? "" : text.length > length ? `${text.slice(0, length)}…` : text;

function Scores({ scores }: { scores: EvalRecord["scores"] }) {
  const scoreName = useScoreName();
  return (
    <Flex gap={4} wrap>
      {Object.entries(scores).map(([name, value]) => (
        <Tag key={name}>{`${scoreName(name)} ${value === null ? "—" : formatScore(name, value)}`}</Tag>
      ))}
    </Flex>
  );
}

function useSourceName(): (source: string) => string {
  const { t } = useTranslation();
  return (source) => {
    if (source === "task" || source === "suite") return t(`evaluation.records.sources.${source}`);
    return source.startsWith("benchmark:") ? t("evaluation.records.benchmark", { name: source.slice(10) }) : source;
  };
}

function RecordDetail({ record }: { record: EvalRecord }) {
  const { t } = useTranslation();
  return (
    <Descriptions size="small" column={1} bordered data-testid="record-detail">
      <Descriptions.Item label={t("evaluation.records.prompt")}>
        <pre className="llmore-log" style={{ whiteSpace: "pre-wrap", margin: 0 }}>{promptText(record.input)}</pre>
      </Descriptions.Item>
      <Descriptions.Item label={t("evaluation.records.reference")}>
        <Typography.Paragraph style={{ whiteSpace: "pre-wrap", margin: 0 }}>
          {record.reference ?? t("evaluation.records.noReference")}
        </Typography.Paragraph>
      </Descriptions.Item>
      <Descriptions.Item label={t("evaluation.records.output")}>
        <Typography.Paragraph style={{ whiteSpace: "pre-wrap", margin: 0 }}>{record.output}</Typography.Paragraph>
      </Descriptions.Item>
      <Descriptions.Item label={t("evaluation.records.scores")}><Scores scores={record.scores} /></Descriptions.Item>
    </Descriptions>
  );
}

function Filters({ run, filters, scoreOptions, onChange }: {
  run: EvalRun; filters: RecordFilters; scoreOptions: string[]; onChange: (filters: RecordFilters) => void;
}) {
  const { t } = useTranslation();
  const scoreName = useScoreName();
  const sourceName = useSourceName();
  const set = (patch: Partial<RecordFilters>) => onChange({ ...filters, ...patch });
  return (
    <Flex gap={8} wrap align="center" data-testid="record-filters">
      <Select allowClear placeholder={t("evaluation.records.allModels")} style={{ minWidth: 180 }}
              value={filters.model} onChange={(model?: string) => set({ model })} data-testid="record-model"
              options={run.models.map(({ label }) => ({ value: label, label }))} />
      <Select allowClear placeholder={t("evaluation.records.allSources")} style={{ minWidth: 150 }}
              value={filters.source} onChange={(source?: string) => set({ source })} data-testid="record-source"
              options={recordSources(run).map((source) => ({ value: source, label: sourceName(source) }))} />
      <Select allowClear placeholder={t("evaluation.records.allDimensions")} style={{ minWidth: 170 }}
              value={filters.dimension} onChange={(dimension?: string) => set({ dimension })}
              data-testid="record-dimension"
              options={DIMENSIONS.map((dimension) => ({ value: dimension, label: scoreName(dimension) }))} />
      <Input.Search key={filters.q ?? ""} allowClear placeholder={t("evaluation.records.search")} style={{ width: 260 }}
                    defaultValue={filters.q} onSearch={(q) => set({ q })} data-testid="record-search" />
      <Flex gap={4} align="center" title={t("evaluation.records.thresholdHelp")}>
        <Select allowClear placeholder={t("evaluation.records.score")} style={{ minWidth: 130 }}
                value={filters.score} onChange={(score?: string) => set({ score })} data-testid="record-score"
                options={scoreOptions.map((name) => ({ value: name, label: scoreName(name) }))} />
        <Typography.Text type="secondary">≤</Typography.Text>
        <InputNumber placeholder={t("evaluation.records.maxScore")} style={{ width: 100 }} step={0.1}
                     value={filters.maxScore} data-testid="record-max-score"
                     onChange={(value) => set({ maxScore: value ?? undefined })} />
      </Flex>
      <Button onClick={() => onChange({})}>{t("evaluation.records.clear")}</Button>
    </Flex>
  );
}

export function RecordBrowser({ run }: { run: EvalRun }) {
  const { t } = useTranslation();
  const sourceName = useSourceName();
  const scoreName = useScoreName();
  const [searchParams, setSearchParams] = useSearchParams();
  const filters = useMemo(() => filtersFromSearch(searchParams), [searchParams]);
  const [page, setPage] = useState(1);
  const records = useEvalRecords(run, filters, page, PAGE_SIZE);
  const items = records.data?.items ?? [];

  const applyFilters = (next: RecordFilters) => {
    setPage(1);
    setSearchParams(searchWithFilters(searchParams, next), { replace: true });
  };

  const columns: TableColumnsType<EvalRecord> = [
    { title: t("evaluation.records.model"), dataIndex: "model_label", width: 150 },
    { title: t("evaluation.records.source"), key: "source", width: 150,
      render: (_, record) => (
        <Flex vertical>
          <span>{sourceName(record.source)}</span>
          {record.dimension && <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {scoreName(record.dimension)}</Typography.Text>}
        </Flex>
      ) },
    { title: t("evaluation.records.input"), key: "input", render: (_, record) => clip(promptText(record.input)) },
    { title: t("evaluation.records.reference"), dataIndex: "reference", width: 200,
      render: (value: string | null) => clip(value, 100) },
    { title: t("evaluation.records.output"), dataIndex: "output", width: 240, render: (value: string) => clip(value) },
    { title: t("evaluation.records.scores"), key: "scores", width: 200,
      render: (_, record) => <Scores scores={record.scores} /> },
  ];

  return (
    <Card size="small" title={t("evaluation.records.title")} data-testid="record-browser" extra={
      <Flex gap={8}>
        <Button icon={<DownloadOutlined />} href={recordsExportUrl(run.id, "jsonl", filters)} data-testid="export-jsonl">
          {t("evaluation.records.exportJsonl")}
        </Button>
        <Button icon={<DownloadOutlined />} href={recordsExportUrl(run.id, "csv", filters)} data-testid="export-csv">
          {t("evaluation.records.exportCsv")}
        </Button>
      </Flex>
    }>
      <Flex vertical gap={12}>
        <Filters run={run} filters={filters} scoreOptions={scoreNames(items, filters.score)} onChange={applyFilters} />
        {records.isError && !records.data
          ? <QueryError error={records.error} onRetry={() => void records.refetch()} />
          : (
            <Table<EvalRecord>
              rowKey="id" size="small" columns={columns} dataSource={items} loading={records.isPending}
              expandable={{ expandedRowRender: (record) => <RecordDetail record={record} /> }}
              locale={{ emptyText: t("evaluation.records.empty") }} data-testid="record-table"
              pagination={{ current: page, pageSize: PAGE_SIZE, total: records.data?.total ?? 0, showSizeChanger: false,
                            showTotal: (total) => t("common.total", { total }), onChange: setPage }}
              scroll={{ x: 1000 }}
            />
          )}
      </Flex>
    </Card>
  );
}
