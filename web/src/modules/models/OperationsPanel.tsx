/**
 * Jobs that make something from a version: merge an adapter into its base, convert a GGUF file
 * to safetensors, export the files (a tar archive downloads once the job succeeded). Each job is
 * followed on the page with its progress and log.
 */
import { DownloadOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Flex, Input, Select, Typography } from "antd";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";

import type { Job } from "../../api/types";
import { errorMessage } from "../../lib/errorMessage";
import { DataJobPanel } from "../data/DataJobPanel";
import { exportDownloadUrl, modelKeys, useConvertGguf, useExportVersion, useMergeAdapter } from "./api";
import type { ExportFormat, ModelVersion } from "./types";

interface StartedJob {
  job: Job;
  title: string;
  /** A tar export, downloadable once it succeeded. */
  download: boolean;
}

export function OperationsPanel({ version }: { version: ModelVersion }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const merge = useMergeAdapter();
  const convert = useConvertGguf();
  const exportVersion = useExportVersion();
  const [targetModel, setTargetModel] = useState("");
  const [format, setFormat] = useState<ExportFormat>("tar");
  const [started, setStarted] = useState<StartedJob[]>([]);
  const [finished, setFinished] = useState<Record<number, Job["state"]>>({});
  const key = { id: version.model_id, number: version.number };

  const start = async (call: () => Promise<Job>, title: string, download = false) => {
    try {
      const job = await call();
      setStarted((current) => [{ job, title, download }, ...current]);
    } catch (error) {
      message.error(errorMessage(error, t));
    }
  };

  const onFinished = useCallback((job: Job) => {
    setFinished((current) => ({ ...current, [job.id]: job.state }));
    // Merges and conversions register new versions, possibly in another model.
    void queryClient.invalidateQueries({ queryKey: modelKeys.all });
  }, [queryClient]);

  return (
    <Card size="small" title={t("models.operations.title")} data-testid="operations">
      <Flex vertical gap={16}>
        {version.kind === "adapter" && (
          <Flex vertical gap={6}>
            <Typography.Text type="secondary">{t("models.operations.mergeHelp")}</Typography.Text>
            <Flex gap={8}>
              <Input value={targetModel} onChange={(event) => setTargetModel(event.target.value)} style={{ maxWidth: 260 }}
                     placeholder={t("models.operations.mergeTarget")} aria-label={t("models.operations.mergeTarget")} />
              <Button loading={merge.isPending} onClick={() => void start(
                () => merge.mutateAsync({ ...key, targetModel: targetModel.trim() }), t("models.operations.merge"))}>
                {t("models.operations.merge")}
              </Button>
            </Flex>
          </Flex>
        )}
        {version.format === "gguf" && (
          <Flex vertical gap={6}>
            <Typography.Text type="secondary">{t("models.operations.convertHelp")}</Typography.Text>
            <Button style={{ alignSelf: "flex-start" }} loading={convert.isPending}
                    onClick={() => void start(() => convert.mutateAsync(key), t("models.operations.convert"))}>
              {t("models.operations.convert")}
            </Button>
          </Flex>
        )}
        <Flex vertical gap={6}>
          <Typography.Text type="secondary">{t("models.operations.exportHelp")}</Typography.Text>
          <Flex gap={8}>
            <Select<ExportFormat> value={format} onChange={setFormat} style={{ width: 160 }}
                                  aria-label={t("models.operations.exportFormat")}
                                  options={(["tar", "folder"] as const).map((value) => ({
                                    value, label: t(`models.operations.formats.${value}`) }))} />
            <Button loading={exportVersion.isPending} data-testid="export-start" onClick={() => void start(
              () => exportVersion.mutateAsync({ ...key, format }), t("models.operations.export"), format === "tar")}>
              {t("models.operations.export")}
            </Button>
          </Flex>
        </Flex>
        {started.map(({ job, title, download }) => (
          <Flex key={job.id} vertical gap={8}>
            <DataJobPanel jobId={job.id} title={title} onFinished={onFinished} />
            {download && finished[job.id] === "succeeded" && (
              <Button type="primary" icon={<DownloadOutlined />} href={exportDownloadUrl(key)} data-testid="export-download"
                      style={{ alignSelf: "flex-start" }}>
                {t("models.operations.download")}
              </Button>
            )}
          </Flex>
        ))}
      </Flex>
    </Card>
  );
}
