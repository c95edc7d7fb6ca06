/**
 * The new-evaluation form: model versions and baseline, a task on a dataset version and/or the
 * general suite, generation settings. Client rules catch the obvious; the server's refusals
 * (a dataset without references for a metric, an unknown model …) are shown on their fields.
 */
import { Alert, Button, Flex, Form } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";

import { PageHeader } from "../../components/PageHeader";
import { useServerFormErrors } from "../../lib/forms";
import { useStartEvalRun } from "./api";
import { buildRunRequest, RUN_FORM_DEFAULTS, RUN_FORM_FIELDS, type RunFormValues } from "./request";
import { GenerationSection, ModelsSection, SuiteSection, TaskSection } from "./RunFormSections";

export default function NewRunPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [form] = Form.useForm<RunFormValues>();
  const start = useStartEvalRun();
  const { submitting, submit, formError, clear } = useServerFormErrors(form, RUN_FORM_FIELDS);
  const [needOne, setNeedOne] = useState(false);

  const send = async () => {
    clear();
    // Every value, the switched-off sections' included (onFinish gives only the fields shown).
    const all = form.getFieldsValue(true) as RunFormValues;
    setNeedOne(!all.withTask && !all.withSuite);
    if (!all.withTask && !all.withSuite) return;
    const result = await submit(() => start.mutateAsync(buildRunRequest(all)));
    if (result.ok) await navigate(`/evaluation/runs/${result.value.id}`);
  };

  return (
    <>
      <PageHeader title={t("evaluation.form.title")} />
      {formError}
      {needOne && <Alert type="error" showIcon title={t("evaluation.form.needOne")} style={{ marginBottom: 16 }}
                         data-testid="eval-need-one" />}
      <Form form={form} layout="vertical" initialValues={RUN_FORM_DEFAULTS} onFinish={() => void send()}
            scrollToFirstError style={{ maxWidth: 960 }}>
        <Flex vertical gap={16}>
          <ModelsSection />
          <TaskSection />
          <SuiteSection />
          <GenerationSection />
          <Flex justify="end">
            <Button type="primary" size="large" htmlType="submit" loading={submitting} data-testid="eval-start">
              {t("evaluation.form.start")}
            </Button>
          </Flex>
        </Flex>
      </Form>
    </>
  );
}
