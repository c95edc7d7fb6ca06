/**
 * The import wizard: choose a file (or a reference the server can reach) → preview the detected
 * format and schema with the first rows and problems → choose what happens to invalid rows →
 * upload with progress → follow the import job → land on the new version.
 */
import { ArrowLeftOutlined, InboxOutlined } from "@ant-design/icons";
import {
  Alert, App, Button, Card, Col, Descriptions, Empty, Flex, Form, Input, List, Progress, Radio, Result, Row, Select,
  Steps, Table, Typography, Upload,
} from "antd";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";

import type { ApiError } from "../../api/errors";
import type { ImportPreview, ImportSource, InvalidRows, Job } from "../../api/types";
import { IMPORT_SOURCES } from "../../api/types";
import { FullPageSpin } from "../../components/FullPageSpin";
import { PageHeader } from "../../components/PageHeader";
import { QueryError } from "../../components/QueryError";
import { errorMessage } from "../../lib/errorMessage";
import { useServerFormErrors } from "../../lib/forms";
import { datasetKeys, previewImport, uploadFile, useDataset, useImportReference, versionOfJob } from "./api";
import { DataJobPanel } from "./DataJobPanel";
import { formatBytes } from "./format";
import { RowView } from "./RowView";
import { SchemaTag } from "./tags";

const FILE_FORMATS = ["jsonl", "json", "csv", "tsv", "parquet", "txt"];
const LOCATION_EXAMPLES: Record<ImportSource, string> = {
  url: "https://example.com/data.jsonl",
  path: "/data/shared/train.jsonl",
  fsspec: "s3://bucket/prefix/data.parquet",
  huggingface: "tatsu-lab/alpaca",
};
const SOURCE_SCHEMAS = ["alpaca", "sharegpt", "openai", "preference", "prompt_answer", "text", "classification"];

type Mode = "file" | "reference";

interface ReferenceValues {
  source: ImportSource;
  location: string;
  file_format?: string;
  source_schema?: string;
  hf_split?: string;
}

interface ErrorRow {
  line?: number;
  field?: string;
  message?: string;
}

function ProblemTable({ errors }: { errors: Record<string, unknown>[] }) {
  const { t } = useTranslation();
  return (
    <Table<ErrorRow>
      size="small" rowKey={(_, index) => String(index)} pagination={errors.length > 10 ? { pageSize: 10 } : false}
      dataSource={errors as ErrorRow[]} data-testid="import-problems"
      columns={[
        { title: t("data.import.line"), dataIndex: "line", width: 80 },
        { title: t("data.import.field"), dataIndex: "field", width: 180, render: (value?: string) => value || "—" },
        { title: t("data.import.message"), dataIndex: "message" },
      ]}
    />
  );
}

function PreviewCard({ preview }: { preview: ImportPreview }) {
  const { t } = useTranslation();
  return (
    <Flex vertical gap={16} data-testid="import-preview">
      <Descriptions size="small" bordered column={{ xs: 1, md: 2, xl: 4 }}>
        <Descriptions.Item label={t("data.import.fileFormat")}>
          <span data-testid="detected-format">{preview.file_format}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("data.import.sourceSchema")}>
          <span data-testid="detected-source-schema">{preview.source_schema}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t("data.schema")}><SchemaTag value={preview.data_schema} /></Descriptions.Item>
        <Descriptions.Item label={t("data.import.scanned")}>{preview.scanned}</Descriptions.Item>
      </Descriptions>
      {preview.reason && <Typography.Text type="secondary">{t("data.import.reason", { reason: preview.reason })}</Typography.Text>}
      {preview.errors.length > 0
        ? (
          <Card size="small" title={t("data.import.problems", { n: preview.errors.length })}>
            <ProblemTable errors={preview.errors} />
          </Card>
        )
        : <Alert type="success" showIcon title={t("data.import.noProblems")} />}
      <Card size="small" title={t("data.import.firstRows", { n: preview.rows.length })}>
        {preview.rows.length === 0
          ? <Empty description={t("data.rows.none")} />
          : (
            <List
              size="small" dataSource={preview.rows} style={{ maxHeight: 520, overflow: "auto" }}
              renderItem={(row, index) => (
                <List.Item key={index}><RowView row={row} schema={preview.data_schema} /></List.Item>
              )}
            />
          )}
      </Card>
    </Flex>
  );
}

export default function ImportPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const rawId = useParams().datasetId ?? "";
  const datasetId = /^\d+$/.test(rawId) ? Number(rawId) : 0;
  const dataset = useDataset(datasetId, datasetId > 0);

  const [step, setStep] = useState(0);
  const [mode, setMode] = useState<Mode>("file");
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const [previewing, setPreviewing] = useState(false);
  const [onInvalid, setOnInvalid] = useState<InvalidRows>("drop");
  const [fileFormat, setFileFormat] = useState<string | undefined>(undefined);
  const [sourceSchema, setSourceSchema] = useState<string | undefined>(undefined);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const [jobId, setJobId] = useState<number | null>(null);
  const abortUpload = useRef<(() => void) | null>(null);
  const [referenceForm] = Form.useForm<ReferenceValues>();
  const reference = useImportReference();
  const { submitting, submit, formError } = useServerFormErrors(
    referenceForm, ["source", "location", "file_format", "source_schema", "hf_split", "on_invalid"]);
  const referenceSource = Form.useWatch("source", referenceForm);

  useEffect(() => () => abortUpload.current?.(), []);

  const runPreview = async () => {
    if (!file) return;
    setPreviewing(true);
    setPreviewError(null);
    setPreview(null);
    try {
      setPreview(await previewImport(file));
    } catch (error) {
      setPreviewError(error);
    } finally {
      setPreviewing(false);
      setStep(1);
    }
  };

  const startUpload = async () => {
    if (!file) return;
    setStep(2);
    setUploadError(null);
    setProgress({ loaded: 0, total: file.size });
    const handle = uploadFile(datasetId, file, { on_invalid: onInvalid, file_format: fileFormat, source_schema: sourceSchema },
                              (loaded, total) => setProgress({ loaded, total }));
    abortUpload.current = handle.abort;
    try {
      const job = await handle.done;
      setJobId(job.id);
    } catch (error) {
      setUploadError(error);
    } finally {
      abortUpload.current = null;
    }
  };

  const startReference = async () => {
    const values = await referenceForm.validateFields();
    const result = await submit(() => reference.mutateAsync({ id: datasetId, body: {
      source: values.source, location: values.location.trim(), file_format: values.file_format || null,
      source_schema: values.source_schema || null, on_invalid: onInvalid, hf_split: values.hf_split || "train",
    } }));
    if (result.ok) {
      setJobId(result.value.id);
      setStep(2);
    }
  };

  const onFinished = useCallback((job: Job) => {
    if (job.state !== "succeeded") return;
    void queryClient.invalidateQueries({ queryKey: datasetKeys.detail(datasetId) });
    void queryClient.invalidateQueries({ queryKey: ["datasets", "list"] });
    const number = versionOfJob(job);
    message.success(number ? t("data.import.done", { version: number }) : t("data.import.doneNoVersion"));
    void navigate(`/data/${datasetId}${number ? `?version=${number}` : ""}`);
  }, [datasetId, message, navigate, queryClient, t]);

  if (datasetId === 0 || (dataset.error as ApiError | null)?.status === 404) {
    return <Result status="404" title={t("data.notFound", { id: rawId })}
                   extra={<Link to="/data"><Button>{t("common.back")}</Button></Link>} />;
  }
  if (dataset.isPending) return <FullPageSpin />;
  if (dataset.isError) return <QueryError error={dataset.error} onRetry={() => void dataset.refetch()} />;

  const invalidChoice = (
    <Card size="small" title={t("data.import.onInvalid")}>
      <Radio.Group value={onInvalid} onChange={(event) => setOnInvalid(event.target.value as InvalidRows)}
                   data-testid="on-invalid">
        <Flex vertical gap={8}>
          <Radio value="drop">{t("data.import.drop")}</Radio>
          <Radio value="stop">{t("data.import.stop")}</Radio>
        </Flex>
      </Radio.Group>
    </Card>
  );

  return (
    <>
      <PageHeader
        title={t("data.import.title", { name: dataset.data.name })}
        extra={<Link to={`/data/${datasetId}`}><Button icon={<ArrowLeftOutlined />}>{t("common.back")}</Button></Link>}
      />
      <Steps current={step} style={{ marginBottom: 24 }} items={[
        { title: t("data.import.stepSource") },
        { title: mode === "file" ? t("data.import.stepPreview") : t("data.import.stepOptions") },
        { title: t("data.import.stepImport") },
      ]} />

      {step === 0 && (
        <Card>
          <Radio.Group value={mode} onChange={(event) => setMode(event.target.value as Mode)} optionType="button"
                       style={{ marginBottom: 16 }}
                       options={[{ value: "file", label: t("data.import.fromFile") },
                                 { value: "reference", label: t("data.import.fromReference") }]} />
          {mode === "file"
            ? (
              <Flex vertical gap={16}>
                <Upload.Dragger
                  multiple={false} showUploadList={false} data-testid="import-file"
                  accept=".jsonl,.json,.csv,.tsv,.parquet,.txt,.ndjson"
                  beforeUpload={(chosen) => { setFile(chosen); setPreview(null); return false; }}
                >
                  <p className="ant-upload-drag-icon"><InboxOutlined /></p>
                  <p className="ant-upload-text">{t("data.import.drop_here")}</p>
                  <p className="ant-upload-hint">{t("data.import.formats")}</p>
                </Upload.Dragger>
                {file && (
                  <Alert type="info" showIcon data-testid="chosen-file"
                         title={t("data.import.chosen", { name: file.name, size: formatBytes(file.size) })} />
                )}
                <Flex gap={8}>
                  <Button type="primary" disabled={!file} loading={previewing} onClick={() => void runPreview()}>
                    {t("data.import.preview")}
                  </Button>
                </Flex>
              </Flex>
            )
            : (
              <Form form={referenceForm} layout="vertical" initialValues={{ source: "url", hf_split: "train" }}
                    style={{ maxWidth: 720 }}>
                {formError}
                <Form.Item name="source" label={t("data.import.source")} rules={[{ required: true }]}>
                  <Radio.Group optionType="button"
                               options={IMPORT_SOURCES.map((value) => ({ value, label: t(`data.import.sources.${value}`) }))} />
                </Form.Item>
                <Form.Item name="location" label={t("data.import.location")} extra={t("data.import.locationHelp")}
                           rules={[{ required: true, whitespace: true, message: t("data.import.locationRequired") }]}>
                  <Input placeholder={LOCATION_EXAMPLES[referenceSource ?? "url"]} />
                </Form.Item>
                <Row gutter={16}>
                  <Col xs={24} md={8}>
                    <Form.Item name="file_format" label={t("data.import.fileFormat")}>
                      <Select allowClear placeholder={t("data.import.detect")}
                              options={FILE_FORMATS.map((value) => ({ value, label: value }))} />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={8}>
                    <Form.Item name="source_schema" label={t("data.import.sourceSchema")}>
                      <Select allowClear placeholder={t("data.import.detect")}
                              options={SOURCE_SCHEMAS.map((value) => ({ value, label: value }))} />
                    </Form.Item>
                  </Col>
                  {referenceSource === "huggingface" && (
                    <Col xs={24} md={8}>
                      <Form.Item name="hf_split" label={t("data.import.hfSplit")}><Input /></Form.Item>
                    </Col>
                  )}
                </Row>
                <Button type="primary" onClick={() => setStep(1)}>{t("data.import.next")}</Button>
              </Form>
            )}
        </Card>
      )}

      {step === 1 && mode === "file" && file && (
        <Flex vertical gap={16}>
          {previewError !== null && (
            <Alert type="warning" showIcon data-testid="preview-error" title={t("data.import.previewFailed")}
                   description={errorMessage(previewError, t)} />
          )}
          {preview && <PreviewCard preview={preview} />}
          <Row gutter={16}>
            <Col xs={24} lg={12}>{invalidChoice}</Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t("data.import.overrides")}>
                <Flex gap={12} wrap>
                  <Select allowClear style={{ minWidth: 180 }} value={fileFormat} onChange={setFileFormat}
                          placeholder={t("data.import.formatDetected", { value: preview?.file_format ?? "?" })}
                          options={FILE_FORMATS.map((value) => ({ value, label: value }))} />
                  <Select allowClear style={{ minWidth: 220 }} value={sourceSchema} onChange={setSourceSchema}
                          placeholder={t("data.import.schemaDetected", { value: preview?.source_schema ?? "?" })}
                          options={SOURCE_SCHEMAS.map((value) => ({ value, label: value }))} />
                </Flex>
              </Card>
            </Col>
          </Row>
          <Flex gap={8}>
            <Button onClick={() => setStep(0)}>{t("data.import.previous")}</Button>
            <Button type="primary" onClick={() => void startUpload()} data-testid="start-upload">
              {t("data.import.upload", { size: formatBytes(file.size) })}
            </Button>
          </Flex>
        </Flex>
      )}

      {step === 1 && mode === "reference" && (
        <Flex vertical gap={16} style={{ maxWidth: 720 }}>
          {formError}
          {invalidChoice}
          <Flex gap={8}>
            <Button onClick={() => setStep(0)}>{t("data.import.previous")}</Button>
            <Button type="primary" loading={submitting} onClick={() => void startReference().catch(() => setStep(0))}>
              {t("data.import.start")}
            </Button>
          </Flex>
        </Flex>
      )}

      {step === 2 && (
        <Flex vertical gap={16}>
          {mode === "file" && progress && (
            <Card size="small" title={t("data.import.uploading")}>
              <Progress percent={progress.total > 0 ? Math.floor((progress.loaded / progress.total) * 100) : 0}
                        status={uploadError ? "exception" : progress.loaded >= progress.total ? "success" : "active"}
                        data-testid="upload-progress" />
              <Typography.Text type="secondary">
                {t("data.import.uploaded", { loaded: formatBytes(progress.loaded), total: formatBytes(progress.total) })}
              </Typography.Text>
              {jobId === null && uploadError === null && (
                <Button size="small" style={{ marginInlineStart: 12 }} onClick={() => abortUpload.current?.()}>
                  {t("common.cancel")}
                </Button>
              )}
            </Card>
          )}
          {uploadError !== null && (
            <Alert type="error" showIcon title={t("data.import.uploadFailed")} description={errorMessage(uploadError, t)}
                   action={<Button onClick={() => setStep(1)}>{t("data.import.previous")}</Button>} />
          )}
          {jobId !== null && (
            <DataJobPanel jobId={jobId} title={t("data.import.job")} logOpen onFinished={onFinished} />
          )}
        </Flex>
      )}
    </>
  );
}
