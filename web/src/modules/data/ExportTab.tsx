/** Download a version in a file format and record schema (a plain link: the session cookie authenticates). */
import { DownloadOutlined } from "@ant-design/icons";
import { Button, Card, Form, Select, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { DataSchema } from "../../api/types";
import { exportUrl } from "./api";

const FILE_FORMATS = ["jsonl", "json", "csv", "parquet"];

/**
 * The record schemas a version of `schema` can be written as: canonical always, plus the source
 * schemas that import into it (`EXPORT_TARGETS` in `src/llmore/datasets/record_schemas.py`).
 */
export function exportSchemas(schema: DataSchema): string[] {
  const targets: Record<DataSchema, string[]> = {
    chat: ["alpaca", "sharegpt", "openai"],
    preference: ["preference", "sharegpt_preference"],
    prompt_answer: ["prompt_answer"],
    text: ["text"],
    classification: ["classification"],
  };
  return ["canonical", ...targets[schema]];
}

interface Props {
  datasetId: number;
  number: number;
  datasetName: string;
  schema: DataSchema;
  splits: Record<string, number> | null;
}

export function ExportTab({ datasetId, number, datasetName, schema, splits }: Props) {
  const { t } = useTranslation();
  const [fileFormat, setFileFormat] = useState("jsonl");
  const [targetSchema, setTargetSchema] = useState("canonical");
  const [split, setSplit] = useState<string | undefined>(undefined);
  const href = exportUrl(datasetId, number, { file_format: fileFormat, target_schema: targetSchema, split });
  const filename = `${datasetName}-v${number}${split ? `-${split}` : ""}.${fileFormat}`;
  return (
    <Card size="small" title={t("data.export.title", { version: number })} style={{ maxWidth: 640 }}>
      <Form layout="vertical">
        <Form.Item label={t("data.export.fileFormat")}>
          <Select value={fileFormat} onChange={setFileFormat} data-testid="export-format"
                  options={FILE_FORMATS.map((value) => ({ value, label: value }))} />
        </Form.Item>
        <Form.Item label={t("data.export.targetSchema")} extra={t("data.export.targetSchemaHelp")}>
          <Select value={targetSchema} onChange={setTargetSchema} data-testid="export-schema"
                  options={exportSchemas(schema).map((value) => ({ value, label: value }))} />
        </Form.Item>
        {splits && (
          <Form.Item label={t("data.export.split")}>
            <Select allowClear value={split} onChange={setSplit} placeholder={t("data.export.allSplits")}
                    options={["train", "dev", "test"].map((value) => ({
                      value, label: `${t(`data.splitNames.${value as "train" | "dev" | "test"}`)} (${splits[value] ?? 0})`,
                    }))} />
          </Form.Item>
        )}
        <Typography.Paragraph type="secondary">{t("data.export.file", { filename })}</Typography.Paragraph>
        <a href={href} download={filename} data-testid="export-download">
          <Button type="primary" icon={<DownloadOutlined />}>{t("data.export.download")}</Button>
        </a>
      </Form>
    </Card>
  );
}
