/** A model's aliases (prod → v3): point one at a version, move it, remove it. */
import { App, Button, Card, Flex, Form, Input, Select, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { errorMessage } from "../../lib/errorMessage";
import { useServerFormErrors } from "../../lib/forms";
import { useRemoveAlias, useSetAlias } from "./api";
import type { Model, ModelVersion } from "./types";

interface Values {
  alias: string;
  number: number;
}

const FIELDS = ["alias", "number"] as const;
/** The server's rule for alias names. */
const ALIAS_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

interface Props {
  model: Model;
  versions: ModelVersion[];
  canWrite: boolean;
  /** Preselect this version (the version page passes its own). */
  number?: number;
}

export function AliasEditor({ model, versions, canWrite, number }: Props) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const setAlias = useSetAlias();
  const removeAlias = useRemoveAlias();
  const { submitting, submit, formError } = useServerFormErrors(form, FIELDS);
  const usable = versions.filter((version) => version.state !== "retired");

  const onSet = async (values: Values) => {
    const alias = values.alias.trim();
    const result = await submit(() => setAlias.mutateAsync({ id: model.id, alias, number: values.number }));
    if (result.ok) {
      message.success(t("models.aliases.set", { alias, number: values.number }));
      form.resetFields(["alias"]);
    }
  };

  const confirmRemove = (alias: string) => {
    modal.confirm({
      title: t("models.aliases.removeConfirm", { alias }),
      content: t("models.aliases.removeHelp", { reference: `${model.name}@${alias}` }),
      okText: t("common.delete"), okButtonProps: { danger: true }, cancelText: t("common.cancel"),
      onOk: async () => {
        try {
          await removeAlias.mutateAsync({ id: model.id, alias });
          message.success(t("models.aliases.removed", { alias }));
        } catch (error) {
          message.error(errorMessage(error, t));
        }
      },
    });
  };

  const entries = Object.entries(model.aliases ?? {});
  return (
    <Card size="small" title={t("models.aliases.title")} data-testid="aliases">
      <Flex vertical gap={12}>
        <Typography.Text type="secondary">{t("models.aliases.help", { name: model.name })}</Typography.Text>
        <Flex gap={6} wrap data-testid="alias-list">
          {entries.length === 0 && <Typography.Text type="secondary">{t("models.aliases.none")}</Typography.Text>}
          {entries.map(([alias, target]) => (
            <Tag key={alias} color="blue" closable={canWrite}
                 onClose={(event) => { event.preventDefault(); confirmRemove(alias); }}>
              <Link to={`/models/${model.id}/versions/${target}`}>{`@${alias} → v${target}`}</Link>
            </Tag>
          ))}
        </Flex>
        {canWrite && usable.length > 0 && (
          <>
            {formError}
            <Form form={form} layout="inline" onFinish={(values) => void onSet(values)}
                  initialValues={{ number: number ?? usable[0]?.number }} data-testid="alias-form">
              <Form.Item name="alias" rules={[{ required: true, message: t("models.aliases.nameRequired") },
                                              { pattern: ALIAS_PATTERN, message: t("models.aliases.nameInvalid") }]}>
                <Input placeholder={t("models.aliases.placeholder")} style={{ width: 160 }} aria-label={t("models.aliases.name")} />
              </Form.Item>
              <Form.Item name="number" rules={[{ required: true }]}>
                <Select style={{ width: 120 }} aria-label={t("models.aliases.version")}
                        options={usable.map((version) => ({ value: version.number, label: `v${version.number}` }))} />
              </Form.Item>
              <Button htmlType="submit" loading={submitting}>{t("models.aliases.submit")}</Button>
            </Form>
          </>
        )}
      </Flex>
    </Card>
  );
}
