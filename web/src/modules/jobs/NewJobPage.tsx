import { App, Button, Card, Col, Collapse, Form, Input, InputNumber, Row, Select, Typography } from "antd";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";

import type { JobKind } from "../../api/types";
import { PageHeader } from "../../components/PageHeader";
import { QueryError } from "../../components/QueryError";
import { useServerFormErrors } from "../../lib/forms";
import { defaultParams, type ParamsIssue, parseJsonObject, validateParams } from "../../lib/jsonParams";
import { useJobKinds, useSubmitJob } from "./api";
import { ParamsReference } from "./ParamsReference";

interface NewJobValues {
  kind: string;
  name?: string;
  params: string;
  max_attempts: number;
  timeout_seconds?: number | null;
  gpus: number;
  priority: number;
}

const FORM_FIELDS = ["kind", "name", "params", "max_attempts", "timeout_seconds", "gpus", "priority"] as const;

function issueText(issue: ParamsIssue, t: TFunction): string {
  return t(`jobs.paramsIssues.${issue.key}`, issue.values ?? {});
}

export default function NewJobPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<NewJobValues>();
  const kinds = useJobKinds();
  const submitJob = useSubmitJob();
  const { submitting, submit, formError } = useServerFormErrors(form, FORM_FIELDS);
  const kindName = Form.useWatch("kind", form);
  const kind: JobKind | undefined = kinds.data?.find((item) => item.name === kindName);

  const onKindChange = (name: string) => {
    const chosen = kinds.data?.find((item) => item.name === name);
    form.setFieldValue("params", JSON.stringify(defaultParams(chosen?.params_schema), null, 2));
  };

  const onFinish = async (values: NewJobValues) => {
    const parsed = parseJsonObject(values.params);
    if (!parsed.ok) return; // the field's validator already shows why
    const result = await submit(() => submitJob.mutateAsync({
      kind: values.kind,
      name: values.name?.trim() ?? "",
      params: parsed.value,
      max_attempts: values.max_attempts,
      timeout_seconds: values.timeout_seconds ?? null,
      gpus: values.gpus,
      priority: values.priority,
    }));
    if (result.ok) {
      message.success(t("jobs.form.submitted", { id: result.value.id }));
      void navigate(`/jobs/${result.value.id}`);
    }
  };

  if (kinds.isError) return <QueryError error={kinds.error} onRetry={() => void kinds.refetch()} />;

  return (
    <>
      <PageHeader title={t("jobs.form.title")} />
      <Row gutter={[24, 24]}>
        <Col xs={24} xl={14}>
          <Card>
            {formError}
            <Form<NewJobValues>
              form={form} layout="vertical" onFinish={(values) => void onFinish(values)}
              initialValues={{ params: "{}", max_attempts: 1, gpus: 0, priority: 0 }}
            >
              <Form.Item name="kind" label={t("jobs.form.kind")}
                         rules={[{ required: true, message: t("jobs.form.kindRequired") }]}
                         extra={kind?.description}>
                <Select showSearch loading={kinds.isPending} onChange={onKindChange} data-testid="job-kind"
                        options={(kinds.data ?? []).map((item) => ({ value: item.name, label: item.name }))} />
              </Form.Item>
              <Form.Item name="name" label={t("jobs.form.name")} rules={[{ max: 200 }]}>
                <Input placeholder={t("jobs.form.namePlaceholder")} />
              </Form.Item>
              <Form.Item
                name="params" label={t("jobs.form.params")} extra={t("jobs.form.paramsHelp")}
                rules={[{
                  validator: async (_, text: string | undefined) => {
                    const parsed = parseJsonObject(text ?? "");
                    const issues = parsed.ok ? validateParams(parsed.value, kind?.params_schema) : parsed.issues;
                    if (issues.length > 0) throw new Error(issues.map((issue) => issueText(issue, t)).join("; "));
                  },
                }]}
              >
                <Input.TextArea autoSize={{ minRows: 6, maxRows: 20 }} spellCheck={false}
                                style={{ fontFamily: "ui-monospace, Menlo, Consolas, monospace" }}
                                data-testid="job-params" />
              </Form.Item>
              <Row gutter={16}>
                <Col xs={12} md={6}>
                  <Form.Item name="max_attempts" label={t("jobs.form.maxAttempts")}
                             rules={[{ required: true, type: "integer", min: 1, max: 10 }]}>
                    <InputNumber min={1} max={10} precision={0} style={{ width: "100%" }} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={6}>
                  <Form.Item name="timeout_seconds" label={t("jobs.form.timeoutSeconds")}>
                    <InputNumber min={1} style={{ width: "100%" }} placeholder={t("common.optional")} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={6}>
                  <Form.Item name="gpus" label={t("jobs.form.gpus")} rules={[{ required: true, type: "integer", min: 0, max: 64 }]}>
                    <InputNumber min={0} max={64} precision={0} style={{ width: "100%" }} />
                  </Form.Item>
                </Col>
                <Col xs={12} md={6}>
                  <Form.Item name="priority" label={t("jobs.form.priority")}
                             rules={[{ required: true, type: "integer", min: -100, max: 100 }]}>
                    <InputNumber min={-100} max={100} precision={0} style={{ width: "100%" }} />
                  </Form.Item>
                </Col>
              </Row>
              <Form.Item style={{ marginBottom: 0 }}>
                <Button type="primary" htmlType="submit" loading={submitting}>{t("jobs.form.submit")}</Button>
                <Link to="/jobs" style={{ marginInlineStart: 8 }}><Button>{t("common.cancel")}</Button></Link>
              </Form.Item>
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          {kind && (
            <Collapse defaultActiveKey={["schema"]} items={[{
              key: "schema",
              label: t("jobs.form.schema"),
              children: (
                <>
                  <Typography.Paragraph type="secondary">{kind.description}</Typography.Paragraph>
                  <ParamsReference schema={kind.params_schema} />
                </>
              ),
            }]} />
          )}
        </Col>
      </Row>
    </>
  );
}
