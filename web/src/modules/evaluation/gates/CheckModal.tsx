/**
 * Check a version of a gated model against a finished evaluation run: preview the report, or
 * decide, which moves the version to approved or rejected and shows what the lifecycle did.
 */
import { Alert, Button, Flex, Form, Modal, Select, Typography } from "antd";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import { useServerFormErrors } from "../../../lib/forms";
import { StateTag } from "../../models/tags";
import { useEvalRuns } from "../api";
import { useCheck, usePreviewCheck } from "./api";
import { ReportTable } from "./ReportTable";
import { checkableRuns, versionsInRun } from "./rules";
import type { Decision, Gate, GateReport } from "./types";

interface Values {
  run_id?: number;
  number?: number;
}

interface Props {
  gate: Gate | null;
  /** Whether the user may decide (evaluation:write and models:write); others only preview. */
  canDecide: boolean;
  /** The run to check against, chosen in advance (a run page links here with it). */
  runId?: number;
  onClose: () => void;
}

const FIELDS = ["run_id", "number"] as const;
// The newest runs are the ones people check; older ones are one search away in the runs list.
const RUNS_OFFERED = 200;

export function CheckModal({ gate, canDecide, runId: chosenRun, onClose }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const runs = useEvalRuns(1, RUNS_OFFERED);
  const preview = usePreviewCheck();
  const check = useCheck();
  const errors = useServerFormErrors(form, FIELDS);
  const [report, setReport] = useState<GateReport | Decision | null>(null);
  const runId = Form.useWatch("run_id", form);
  const modelId = gate?.model_id ?? 0;
  const offered = checkableRuns(runs.data?.items ?? [], modelId);
  const versions = versionsInRun(offered.find((run) => run.id === runId), modelId);

  useEffect(() => {
    setReport(null);
    errors.clear();
    form.resetFields();
    form.setFieldsValue({ run_id: chosenRun });
  }, [gate, chosenRun, form, errors.clear]);

  // A run that evaluated one version of the model leaves nothing to choose.
  const onlyVersion = versions.length === 1 ? versions[0]!.number : undefined;
  useEffect(() => {
    form.setFieldValue("number", onlyVersion);
    setReport(null);
  }, [runId, onlyVersion, form]);

  const run = async (decide: boolean) => {
    const values = await form.validateFields();
    const body = { modelId, run_id: values.run_id!, number: values.number ?? null };
    const result = await errors.submit(() => (decide ? check.mutateAsync(body) : preview.mutateAsync(body)));
    setReport(result.ok ? result.value : null);
  };

  const decision = report !== null && "state" in report ? report : null;
  return (
    <Modal open={gate !== null} onCancel={onClose} width={1000} destroyOnHidden data-testid="gate-check"
           title={gate ? t("gate.checkForm.title", { name: gate.model_name }) : ""}
           footer={[
             <Button key="close" onClick={onClose} data-testid="gate-check-close">{t("common.close")}</Button>,
             <Button key="preview" loading={preview.isPending} onClick={() => void run(false)} data-testid="gate-preview">
               {t("gate.checkForm.preview")}
             </Button>,
             <Button key="decide" type="primary" disabled={!canDecide} loading={check.isPending}
                     onClick={() => void run(true)} data-testid="gate-decide">
               {t("gate.checkForm.decide")}
             </Button>,
           ]}>
      <Flex vertical gap={12}>
        <Typography.Text type="secondary">
          {canDecide ? t("gate.checkForm.decideHelp") : t("gate.checkForm.needsModelsWrite")}
        </Typography.Text>
        {errors.formError}
        {!runs.isPending && offered.length === 0 && <Alert type="info" showIcon title={t("gate.checkForm.noRuns")} />}
        <Form form={form} layout="inline">
          <Form.Item name="run_id" label={t("gate.checkForm.run")} tooltip={t("gate.checkForm.runHelp")}
                     rules={[{ required: true, message: t("gate.checkForm.runRequired") }]}>
            <Select style={{ width: 320 }} loading={runs.isPending} data-testid="gate-run" showSearch
                    optionFilterProp="label"
                    options={offered.map((item) => ({ value: item.id, label: `#${item.id} ${item.name}` }))} />
          </Form.Item>
          <Form.Item name="number" label={t("gate.checkForm.version")}
                     rules={[{ required: true, message: t("gate.checkForm.versionRequired") }]}>
            <Select style={{ width: 220 }} data-testid="gate-version"
                    options={versions.map((version) => ({ value: version.number, label: version.label }))} />
          </Form.Item>
        </Form>
        {decision && (decision.to_state
          ? (
            <Alert type={decision.passed ? "success" : "warning"} showIcon data-testid="gate-moved" title={
              <Flex gap={6} align="center" wrap>
                {decision.label}: <StateTag state={decision.from_state} /> → <StateTag state={decision.to_state} />
              </Flex>
            } />
          )
          : <Alert type="warning" showIcon title={t("gate.checkForm.refused")} description={decision.refusal}
                   data-testid="gate-refused" />)}
        {report && <ReportTable rules={decision ? decision.rules : gate?.rules ?? []} results={report.results}
                                passed={report.passed} />}
      </Flex>
    </Modal>
  );
}
