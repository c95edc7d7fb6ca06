/**
 * The fine-tune wizard: base model → data → recipe and method → the advisor's proposal (every
 * hyper-parameter with its reason, editable; each edit is checked by the server again) with the
 * estimate and the advanced settings → launch, then the run's page. Impossible settings show the
 * server's reasons and keep the launch button disabled; a refused launch shows the refusal, on
 * the field it names where there is one.
 */
import { Alert, Button, Card, Descriptions, Flex, Form, Progress, Spin, Steps, Tag, Typography } from "antd";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

import { ApiError } from "../../api/errors";
import { PageHeader } from "../../components/PageHeader";
import { currentLang } from "../../i18n";
import { errorMessage } from "../../lib/errorMessage";
import { formatDuration } from "../../lib/format";
import { type AdvancedSettings, advancedRequest, defaultAdvanced, placeProblems } from "./advanced";
import { AdvancedPanel } from "./AdvancedPanel";
import { useAdvice, useModelVersions, useStartRun } from "./api";
import { type Edits, MAX_STEPS, NO_EDITS, problemsByRow, proposalRows } from "./proposal";
import { ProposalTable } from "./ProposalTable";
import type { Estimate, LaunchPlan, WizardRequest } from "./types";
import { BaseModelStep, DataStep, RecipeStep, STEP_FIELDS, WIZARD_DEFAULTS, type WizardValues } from "./WizardSteps";

const LAST_STEP = 3;

/** How the run will use the machine: processes and parallel strategy, with the server's reason. */
function LaunchItem({ launch }: { launch: LaunchPlan }) {
  const { t } = useTranslation();
  return (
    <Flex vertical data-testid="launch-plan">
      {t(`training.estimate.strategy.${launch.strategy}`, { processes: launch.processes })}
      {launch.host_gb > 0 && <Typography.Text>{t("training.estimate.offloaded", { gb: launch.host_gb })}</Typography.Text>}
      <Typography.Text type="secondary">{launch.reason}</Typography.Text>
    </Flex>
  );
}

function EstimateCard({ estimate, launch, maxSteps }: {
  estimate: Estimate; launch: LaunchPlan | null | undefined; maxSteps: number | null;
}) {
  const { t, i18n } = useTranslation();
  const share = estimate.available_memory_gb > 0 ? estimate.peak_memory_gb / estimate.available_memory_gb : 1;
  const steps = maxSteps !== null && maxSteps < estimate.steps ? maxSteps : estimate.steps;
  return (
    <Card size="small" title={t("training.estimate.title")} data-testid="estimate">
      <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }}>
        <Descriptions.Item label={t("training.estimate.steps")}>
          {steps === estimate.steps ? steps : t("training.estimate.stepsLimited", { steps, total: estimate.steps })}
        </Descriptions.Item>
        <Descriptions.Item label={t("training.estimate.time")}>
          {formatDuration(estimate.seconds * (steps / Math.max(estimate.steps, 1)), currentLang(i18n.resolvedLanguage))}
        </Descriptions.Item>
        <Descriptions.Item label={t("training.estimate.trainable")}>
          {estimate.trainable_parameters.toLocaleString()}
        </Descriptions.Item>
        <Descriptions.Item label={t("training.estimate.memory")}>
          <Flex vertical style={{ minWidth: 200 }}>
            {t("training.estimate.memoryOf", { peak: estimate.peak_memory_gb, available: estimate.available_memory_gb })}
            <Progress percent={Math.round(share * 100)} size="small" status={share > 1 ? "exception" : "normal"}
                      showInfo={false} />
          </Flex>
        </Descriptions.Item>
        {launch && (
          <Descriptions.Item label={t("training.estimate.launch")}>
            <LaunchItem launch={launch} />
          </Descriptions.Item>
        )}
      </Descriptions>
    </Card>
  );
}

type BaseRequest = Pick<WizardRequest, "base_model" | "dataset_id" | "number" | "split" | "recipe" | "method"
  | "output_model">;

/** The base request of the chosen model, data, recipe and method (null until complete). */
function baseRequest(values: WizardValues, versionPath: string | undefined): BaseRequest | null {
  const base = values.baseSource === "path" ? values.basePath?.trim() : versionPath;
  if (!base || values.datasetId === undefined || values.datasetNumber === undefined) return null;
  return {
    base_model: base, dataset_id: values.datasetId, number: values.datasetNumber, split: values.split || null,
    recipe: values.recipe, method: values.method, output_model: values.outputModel?.trim() || null,
  };
}

function ProposalStep({ base, edits, onEdit, advanced, onAdvanced }: {
  base: BaseRequest; edits: Edits; onEdit: (edits: Edits) => void;
  advanced: AdvancedSettings; onAdvanced: (advanced: AdvancedSettings) => void;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const start = useStartRun();
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const request = (withRewards: boolean): WizardRequest => ({
    ...base, ...advancedRequest(advanced, base.recipe, base.method, withRewards),
    overrides: edits.overrides, max_steps: edits.maxSteps,
  });
  const advice = useAdvice(request(false));
  const proposal = advice.data;
  const rows = useMemo(() => (proposal ? proposalRows(proposal, edits) : []), [proposal, edits]);
  const general = proposal
    ? problemsByRow(proposal.problems ?? [], [...Object.keys(proposal.choices), MAX_STEPS]).general : [];
  const refused = start.error instanceof ApiError ? start.error : null;
  // The advisor refuses evaluation settings too (a split the version lacks, patience without a split).
  const adviceDetails = advice.error instanceof ApiError ? advice.error.details : [];
  const placed = placeProblems([...adviceDetails, ...(refused?.details ?? [])], advanced.rewards.length);
  const launchable = proposal !== undefined && !advice.isFetching && !advice.isError
    && (proposal.problems ?? []).length === 0;

  const launch = async () => {
    try {
      const job = await start.mutateAsync(request(true));
      await navigate(`/training/runs/${job.id}`);
    } catch (error) {
      // Shown below from start.error; open the advanced part when a refusal points into it.
      const { byField, byReward } = placeProblems(error instanceof ApiError ? error.details : [],
                                                  advanced.rewards.length);
      if (Object.keys(byField).length > 0 || Object.keys(byReward).length > 0) setAdvancedOpen(true);
    }
  };

  if (advice.isPending) return <Spin description={t("training.proposal.asking")} />;
  return (
    <Flex vertical gap={16}>
      {advice.isError && (
        <Alert type="error" showIcon title={errorMessage(advice.error, t)} data-testid="advice-error"
               description={advice.error instanceof ApiError
                 ? advice.error.details.map((d) => <div key={d.message}>{d.message}</div>) : undefined} />
      )}
      {(proposal?.problems ?? []).length > 0 && (
        <Alert type="error" showIcon title={t("training.proposal.problemsTitle")} data-testid="proposal-problems"
               description={[...general, t("training.proposal.fixToLaunch")].map((line) => <div key={line}>{line}</div>)} />
      )}
      {proposal && (
        <>
          <Flex gap={8} align="center">
            <Typography.Text>{t("training.proposal.title")}</Typography.Text>
            {advice.isFetching && <Tag color="processing">{t("training.proposal.checking")}</Tag>}
          </Flex>
          <ProposalTable rows={rows} edits={edits} onChange={onEdit} />
          <EstimateCard estimate={proposal.estimate} launch={proposal.launch} maxSteps={edits.maxSteps} />
        </>
      )}
      <AdvancedPanel settings={advanced} onChange={onAdvanced} recipe={base.recipe} method={base.method}
                     dataset={{ id: base.dataset_id, number: base.number, split: base.split ?? null }}
                     problems={placed} open={advancedOpen} onOpen={setAdvancedOpen} />
      {refused && (
        <Alert type="error" showIcon title={errorMessage(refused, t)} data-testid="launch-error"
               description={placed.general.map((line) => <div key={line}>{line}</div>)} />
      )}
      <Flex justify="end">
        <Button type="primary" size="large" disabled={!launchable} loading={start.isPending} onClick={() => void launch()}
                data-testid="launch">
          {t("training.wizard.launch")}
        </Button>
      </Flex>
    </Flex>
  );
}

export default function NewRunPage() {
  const { t } = useTranslation();
  const [form] = Form.useForm<WizardValues>();
  const [current, setCurrent] = useState(0);
  const [values, setValues] = useState<WizardValues | null>(null);
  const [edits, setEdits] = useState<Edits>(NO_EDITS);
  const [advanced, setAdvanced] = useState<AdvancedSettings>(defaultAdvanced("sft"));
  const versions = useModelVersions(values?.baseSource === "registered" ? values.modelId : undefined);
  const versionPath = versions.data?.find((version) => version.number === values?.modelVersion)?.path;
  const base = values ? baseRequest(values, versionPath) : null;

  const next = async () => {
    try {
      await form.validateFields(STEP_FIELDS[current]);
    } catch {
      return; // antd shows each field's message
    }
    if (current + 1 === LAST_STEP) {
      const chosen = form.getFieldsValue(true) as WizardValues;
      setValues(chosen);
      setEdits(NO_EDITS); // a new base, data or recipe gets a fresh proposal
      setAdvanced(defaultAdvanced(chosen.recipe));
    }
    setCurrent(current + 1);
  };

  const stepTitles = [t("training.wizard.stepModel"), t("training.wizard.stepData"), t("training.wizard.stepRecipe"),
                      t("training.wizard.stepProposal")];
  return (
    <>
      <PageHeader title={t("training.wizard.title")} />
      <Steps current={current} items={stepTitles.map((title) => ({ title }))} style={{ marginBottom: 24 }} />
      <Form form={form} layout="vertical" initialValues={WIZARD_DEFAULTS} style={{ maxWidth: current < LAST_STEP ? 640 : undefined }}>
        {current === 0 && <BaseModelStep />}
        {current === 1 && <DataStep />}
        {current === 2 && <RecipeStep />}
      </Form>
      {current === LAST_STEP && (base
        ? <ProposalStep base={base} edits={edits} onEdit={setEdits} advanced={advanced} onAdvanced={setAdvanced} />
        : <Spin />)}
      <Flex gap={8} style={{ marginTop: 16 }}>
        {current > 0 && <Button onClick={() => setCurrent(current - 1)} data-testid="wizard-back">{t("training.wizard.previous")}</Button>}
        {current < LAST_STEP && (
          <Button type="primary" onClick={() => void next()} data-testid="wizard-next">{t("training.wizard.next")}</Button>
        )}
      </Flex>
    </>
  );
}
