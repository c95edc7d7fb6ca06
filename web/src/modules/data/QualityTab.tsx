/** The quality report of a version: score, problems with advice, distributions, duplicates, PII. */
import { DownloadOutlined, ExperimentOutlined } from "@ant-design/icons";
import {
  Alert, Button, Card, Col, Empty, Flex, List, Row, Space, Spin, Statistic, Tag, Typography,
} from "antd";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";

import { pathFor } from "../../api/client";
import type { Job } from "../../api/types";
import { useThemeMode } from "../../app/theme";
import { type ChartOption, EChart } from "../../components/EChart";
import { QueryError } from "../../components/QueryError";
import { currentLang } from "../../i18n";
import { errorMessage } from "../../lib/errorMessage";
import { datasetKeys, useReport, useStartReport } from "./api";
import { DataJobPanel } from "./DataJobPanel";
import { formatCount } from "./format";
import { type Histogram, readReport, type Severity, type Share } from "./report";

const SEVERITY_COLORS: Record<Severity, string> = { high: "red", medium: "orange", low: "gold", info: "blue" };

function scoreColor(score: number): string {
  if (score >= 80) return "#52c41a";
  if (score >= 60) return "#faad14";
  return "#ff4d4f";
}

function gaugeOption(score: number, label: string): ChartOption {
  return {
    backgroundColor: "transparent",
    series: [{
      type: "gauge", min: 0, max: 100, radius: "95%", startAngle: 200, endAngle: -20,
      progress: { show: true, width: 14, itemStyle: { color: scoreColor(score) } },
      axisLine: { lineStyle: { width: 14 } },
      axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
      title: { show: true, offsetCenter: [0, "35%"], fontSize: 13 },
      detail: { valueAnimation: false, fontSize: 34, offsetCenter: [0, "-5%"], formatter: (v: number) => `${Math.round(v)}` },
      data: [{ value: score, name: label }],
    }],
  };
}

function histogramOption(histogram: Histogram, title: string): ChartOption {
  return {
    backgroundColor: "transparent",
    title: { text: title, left: 8, top: 4, textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis" },
    grid: { left: 48, right: 16, top: 40, bottom: 48 },
    xAxis: { type: "category", data: histogram.labels, axisLabel: { rotate: histogram.labels.length > 8 ? 40 : 0, fontSize: 10 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: histogram.counts, barCategoryGap: "10%" }],
  };
}

function pieOption(shares: Share[], title: string): ChartOption {
  return {
    backgroundColor: "transparent",
    title: { text: title, left: 8, top: 4, textStyle: { fontSize: 13 } },
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
    legend: { type: "scroll", bottom: 0 },
    series: [{ type: "pie", radius: ["35%", "65%"], top: 20, bottom: 24,
               data: shares.map((share) => ({ name: share.name, value: share.value })) }],
  };
}

function barOption(shares: Share[], title: string): ChartOption {
  const sorted = [...shares].sort((a, b) => b.value - a.value).slice(0, 30);
  return {
    backgroundColor: "transparent",
    title: { text: title, left: 8, top: 4, textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis" },
    grid: { left: 100, right: 24, top: 40, bottom: 24 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: sorted.map((s) => s.name).reverse(), axisLabel: { width: 90, overflow: "truncate" } },
    series: [{ type: "bar", data: sorted.map((s) => s.value).reverse() }],
  };
}

/** "Prompt length (characters)" for `lengths.chars.prompt`; other histograms keep their path. */
function histogramTitle(path: string, t: TFunction): string {
  const match = /^lengths\.(chars|tokens)\.(prompt|answer)$/.exec(path);
  if (!match) return path;
  return t("data.quality.lengthTitle", {
    side: t(`data.quality.sides.${match[2] as "prompt" | "answer"}`),
    unit: t(`data.quality.units.${match[1] as "chars" | "tokens"}`),
  });
}

function ReportView({ raw, datasetId, number }: { raw: Record<string, unknown>; datasetId: number; number: number }) {
  const { t, i18n } = useTranslation();
  const { dark } = useThemeMode();
  const lang = currentLang(i18n.resolvedLanguage);
  const report = useMemo(() => readReport(raw), [raw]);
  const downloadHref = pathFor("/api/datasets/{dataset_id}/versions/{number}/report", { dataset_id: datasetId, number });

  return (
    <Flex vertical gap={16} data-testid="quality-report">
      <Row gutter={[16, 16]}>
        <Col xs={24} md={8} xl={6}>
          <Card size="small" title={t("data.quality.score")} style={{ height: "100%" }}>
            {report.score !== null
              ? (
                <>
                  <EChart key={`${number}-${dark}`} option={gaugeOption(report.score, t("data.quality.outOf100"))}
                          dark={dark} height={180} label={t("data.quality.score")} />
                  <div data-testid="quality-score" style={{ textAlign: "center" }}>
                    <Typography.Text strong>{`${Math.round(report.score)} / 100`}</Typography.Text>
                  </div>
                </>
              )
              : <Empty description={t("data.quality.noScore")} />}
          </Card>
        </Col>
        <Col xs={24} md={16} xl={18}>
          <Card size="small" title={t("data.quality.summary")} style={{ height: "100%" }}
                extra={
                  <a href={downloadHref} download={`report-v${number}.json`}>
                    <Button size="small" icon={<DownloadOutlined />}>{t("data.quality.download")}</Button>
                  </a>
                }>
            <Row gutter={[16, 16]}>
              <Col xs={12} lg={6}><Statistic title={t("data.rowCount")} value={formatCount(report.rowCount)} /></Col>
              <Col xs={12} lg={6}><Statistic title={t("data.quality.exactDuplicates")} value={formatCount(report.duplicates.exact)} /></Col>
              <Col xs={12} lg={6}><Statistic title={t("data.quality.nearDuplicates")} value={formatCount(report.duplicates.near)} /></Col>
              <Col xs={12} lg={6}><Statistic title={t("data.quality.leakage")} value={formatCount(report.leakage)} /></Col>
              <Col xs={12} lg={6}>
                <Statistic title={t("data.quality.piiHits")}
                           value={formatCount(report.pii.reduce((sum, share) => sum + share.value, 0))} />
              </Col>
              <Col xs={12} lg={6}>
                <Statistic title={t("data.quality.emptyFields")}
                           value={formatCount(report.emptyRows ?? report.emptyFields.reduce((sum, share) => sum + share.value, 0))} />
              </Col>
              <Col xs={12} lg={6}><Statistic title={t("data.quality.problemCount")} value={report.problems.length} /></Col>
            </Row>
          </Card>
        </Col>
      </Row>

      <Card size="small" title={t("data.quality.problems")} data-testid="quality-problems">
        {report.problems.length === 0
          ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("data.quality.noProblems")} />
          : (
            <List
              dataSource={report.problems}
              renderItem={(problem) => (
                <List.Item key={problem.code + problem.title}>
                  <Flex vertical gap={4} style={{ width: "100%" }}>
                    <Flex gap={8} align="center" wrap>
                      <Tag color={SEVERITY_COLORS[problem.severity]}>{t(`data.quality.severity.${problem.severity}`)}</Tag>
                      <Typography.Text strong>{lang === "zh" ? problem.titleZh : problem.title}</Typography.Text>
                      {problem.count !== null && (
                        <Typography.Text type="secondary">{t("data.quality.affected", { n: formatCount(problem.count) })}</Typography.Text>
                      )}
                    </Flex>
                    {(lang === "zh" ? problem.adviceZh || problem.adviceEn : problem.adviceEn || problem.adviceZh) && (
                      <Typography.Text>
                        {t("data.quality.advice")}{" "}
                        {lang === "zh" ? problem.adviceZh || problem.adviceEn : problem.adviceEn || problem.adviceZh}
                      </Typography.Text>
                    )}
                    {problem.examples.length > 0 && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t("data.quality.examples")}{" "}
                        {problem.examples.map((id) => <Typography.Text key={id} code style={{ fontSize: 12 }}>{id}</Typography.Text>)}
                      </Typography.Text>
                    )}
                  </Flex>
                </List.Item>
              )}
            />
          )}
      </Card>

      <Row gutter={[16, 16]}>
        {report.histograms.map((histogram) => (
          <Col key={histogram.path} xs={24} xl={12}>
            <Card size="small">
              <EChart key={`${number}-${dark}`} option={histogramOption(histogram, histogramTitle(histogram.path, t))}
                      dark={dark} height={240} label={histogramTitle(histogram.path, t)} />
              {histogram.percentiles.length > 0 && (
                <Space wrap size={[12, 4]}>
                  {histogram.percentiles.map((p) => (
                    <Typography.Text key={p.name} type="secondary" style={{ fontSize: 12 }}>
                      {`${p.name}: ${Number.isInteger(p.value) ? p.value : p.value.toFixed(1)}`}
                    </Typography.Text>
                  ))}
                </Space>
              )}
            </Card>
          </Col>
        ))}
        {report.languages.length > 0 && (
          <Col xs={24} md={12} xl={8}>
            <Card size="small">
              <EChart key={`${number}-${dark}`} option={pieOption(report.languages, t("data.quality.languages"))}
                      dark={dark} height={260} label={t("data.quality.languages")} />
            </Card>
          </Col>
        )}
        {report.labels.length > 0 && (
          <Col xs={24} md={12} xl={8}>
            <Card size="small">
              <EChart key={`${number}-${dark}`} option={barOption(report.labels, t("data.quality.labels"))}
                      dark={dark} height={260} label={t("data.quality.labels")} />
            </Card>
          </Col>
        )}
        {report.pii.length > 0 && (
          <Col xs={24} md={12} xl={8}>
            <Card size="small">
              <EChart key={`${number}-${dark}`} option={barOption(report.pii, t("data.quality.pii"))}
                      dark={dark} height={260} label={t("data.quality.pii")} />
            </Card>
          </Col>
        )}
      </Row>
    </Flex>
  );
}

export function QualityTab({ datasetId, number, canWrite }: { datasetId: number; number: number; canWrite: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const report = useReport(datasetId, number);
  const start = useStartReport();
  const [jobId, setJobId] = useState<number | null>(null);
  const [startError, setStartError] = useState<unknown>(null);

  const run = async () => {
    setStartError(null);
    try {
      const job = await start.mutateAsync({ id: datasetId, number });
      setJobId(job.id);
    } catch (error) {
      setStartError(error);
    }
  };
  const onFinished = useCallback((job: Job) => {
    if (job.state === "succeeded") void queryClient.invalidateQueries({ queryKey: datasetKeys.report(datasetId, number) });
  }, [datasetId, number, queryClient]);

  const runButton = canWrite && (
    <Button type={report.data ? "default" : "primary"} icon={<ExperimentOutlined />} loading={start.isPending}
            onClick={() => void run()} data-testid="run-report">
      {report.data ? t("data.quality.rerun") : t("data.quality.run")}
    </Button>
  );

  return (
    <Flex vertical gap={16}>
      {startError !== null && <Alert type="error" showIcon title={errorMessage(startError, t)} />}
      {jobId !== null && <DataJobPanel jobId={jobId} title={t("data.quality.job", { version: number })} onFinished={onFinished} />}
      {report.isPending && <Spin />}
      {report.isError && <QueryError error={report.error} onRetry={() => void report.refetch()} />}
      {report.data === null && (
        <Empty description={t("data.quality.none", { version: number })}>{runButton}</Empty>
      )}
      {report.data && (
        <>
          <Flex justify="flex-end">{runButton}</Flex>
          <ReportView raw={report.data} datasetId={datasetId} number={number} />
        </>
      )}
    </Flex>
  );
}
