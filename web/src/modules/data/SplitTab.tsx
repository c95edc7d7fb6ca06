/** Split a version into train/dev/test (seeded, optionally stratified by label) as a new version. */
import { PlayCircleOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Col, Flex, Form, InputNumber, Row, Switch, Typography } from "antd";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";

import type { DataSchema, Job } from "../../api/types";
import { useServerFormErrors } from "../../lib/forms";
import { useRunSplit } from "./api";
import { DataJobPanel } from "./DataJobPanel";
import { formatSplits } from "./format";

interface Values {
  train: number;
  dev: number;
  test: number;
  seed: number;
  stratify: boolean;
}

/** Percentages that must add up to 100 (entered as percent, sent as fractions). */
export function splitSumOk(values: Pick<Values, "train" | "dev" | "test">): boolean {
  return Math.abs((values.train ?? 0) + (values.dev ?? 0) + (values.test ?? 0) - 100) < 1e-6;
}

interface Props {
  datasetId: number;
  number: number;
  schema: DataSchema;
  splits: Record<string, number> | null;
  onVersionCreated: (job: Job) => void;
}

export function SplitTab({ datasetId, number, schema, splits, onVersionCreated }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const runCall = useRunSplit();
  const { submitting, submit, formError } = useServerFormErrors(form, ["train", "dev", "test", "seed", "stratify"]);
  const [jobId, setJobId] = useState<number | null>(null);
  const train = Form.useWatch("train", form) ?? 0;
  const dev = Form.useWatch("dev", form) ?? 0;
  const test = Form.useWatch("test", form) ?? 0;
  const onFinished = useCallback((job: Job) => {
    if (job.state === "succeeded") onVersionCreated(job);
  }, [onVersionCreated]);

  const onFinish = async (values: Values) => {
    const result = await submit(() => runCall.mutateAsync({ id: datasetId, number, body: {
      train: values.train / 100, dev: values.dev / 100, test: values.test / 100, seed: values.seed, stratify: values.stratify,
    } }));
    if (result.ok) setJobId(result.value.id);
  };
  const sumOk = splitSumOk({ train, dev, test });
  const percent = { min: 0, max: 100, precision: 1, addonAfter: "%", style: { width: "100%" } } as const;

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={12}>
        <Card size="small" title={t("data.split.title", { version: number })}>
          {splits && (
            <Alert type="info" showIcon style={{ marginBottom: 16 }}
                   title={t("data.split.already", { splits: formatSplits(splits) })} />
          )}
          {formError}
          <Form<Values> form={form} layout="vertical" onFinish={(values) => void onFinish(values)}
                        initialValues={{ train: 80, dev: 10, test: 10, seed: 42, stratify: schema === "classification" }}>
            <Row gutter={12}>
              <Col span={8}><Form.Item name="train" label={t("data.splitNames.train")} rules={[{ required: true }]}><InputNumber {...percent} data-testid="split-train" /></Form.Item></Col>
              <Col span={8}><Form.Item name="dev" label={t("data.splitNames.dev")} rules={[{ required: true }]}><InputNumber {...percent} data-testid="split-dev" /></Form.Item></Col>
              <Col span={8}><Form.Item name="test" label={t("data.splitNames.test")} rules={[{ required: true }]}><InputNumber {...percent} data-testid="split-test" /></Form.Item></Col>
            </Row>
            {!sumOk && (
              <Typography.Paragraph type="danger" data-testid="split-sum">
                {t("data.split.sum", { sum: Math.round((train + dev + test) * 10) / 10 })}
              </Typography.Paragraph>
            )}
            <Row gutter={12}>
              <Col span={8}>
                <Form.Item name="seed" label={t("data.seed")} rules={[{ required: true }]}>
                  <InputNumber precision={0} style={{ width: "100%" }} />
                </Form.Item>
              </Col>
              <Col span={16}>
                <Form.Item name="stratify" label={t("data.split.stratify")} valuePropName="checked"
                           extra={t("data.split.stratifyHelp")}>
                  <Switch />
                </Form.Item>
              </Col>
            </Row>
            <Button type="primary" htmlType="submit" icon={<PlayCircleOutlined />} disabled={!sumOk}
                    loading={submitting} data-testid="split-run">{t("data.split.run")}</Button>
          </Form>
        </Card>
      </Col>
      <Col xs={24} xl={12}>
        <Flex vertical gap={16}>
          {jobId !== null && <DataJobPanel jobId={jobId} title={t("data.split.job", { version: number })} onFinished={onFinished} />}
        </Flex>
      </Col>
    </Row>
  );
}
