/** Augmentation: choose methods with their parameters and a seed; the result is a new version. */
import { PlayCircleOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Col, Flex, InputNumber, Row, Spin, Typography } from "antd";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";

import type { Job } from "../../api/types";
import { QueryError } from "../../components/QueryError";
import { errorMessage } from "../../lib/errorMessage";
import { useAugmentations, useRunAugmentation } from "./api";
import { DataJobPanel } from "./DataJobPanel";
import { RuleBuilder } from "./RuleBuilder";
import { type RuleItem, rulesBody } from "./ruleList";

interface Props {
  datasetId: number;
  number: number;
  onVersionCreated: (job: Job) => void;
}

export function AugmentTab({ datasetId, number, onVersionCreated }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const catalog = useAugmentations();
  const runCall = useRunAugmentation();
  const [items, setItems] = useState<RuleItem[]>([]);
  const [seed, setSeed] = useState(0);
  const [jobId, setJobId] = useState<number | null>(null);
  const [runError, setRunError] = useState<unknown>(null);
  const onFinished = useCallback((job: Job) => {
    if (job.state === "succeeded") onVersionCreated(job);
  }, [onVersionCreated]);

  const run = async () => {
    const result = rulesBody(items, catalog.data ?? [], "method");
    if (!result.ok) {
      message.error(t("data.clean.invalidRule", { index: result.index + 1, name: result.name, field: result.field,
                                                   message: result.message }));
      return;
    }
    setRunError(null);
    try {
      const job = await runCall.mutateAsync({ id: datasetId, number, methods: result.items, seed });
      setJobId(job.id);
    } catch (error) {
      setRunError(error);
    }
  };

  if (catalog.isPending) return <Spin />;
  if (catalog.isError) return <QueryError error={catalog.error} onRetry={() => void catalog.refetch()} />;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={13}>
        <Card size="small" title={t("data.augment.title", { version: number })}>
          <Typography.Paragraph type="secondary">{t("data.augment.intro")}</Typography.Paragraph>
          <RuleBuilder catalog={catalog.data} items={items} onChange={setItems} disabled={runCall.isPending}
                       addLabel={t("data.augment.add")} emptyText={t("data.augment.empty")} testId="augment-builder" />
          <Flex gap={12} align="center" style={{ marginTop: 16 }}>
            <Typography.Text>{t("data.seed")}</Typography.Text>
            <InputNumber value={seed} precision={0} onChange={(value) => setSeed(value ?? 0)} />
            <Button type="primary" icon={<PlayCircleOutlined />} disabled={items.length === 0} loading={runCall.isPending}
                    onClick={() => void run()} data-testid="augment-run">{t("data.augment.run")}</Button>
          </Flex>
        </Card>
      </Col>
      <Col xs={24} xl={11}>
        <Flex vertical gap={16}>
          {runError !== null && <Alert type="error" showIcon title={errorMessage(runError, t)} />}
          {jobId !== null && <DataJobPanel jobId={jobId} title={t("data.augment.job", { version: number })} onFinished={onFinished} />}
        </Flex>
      </Col>
    </Row>
  );
}
