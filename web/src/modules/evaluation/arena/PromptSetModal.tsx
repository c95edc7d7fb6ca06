/** A form for a new prompt set: a name and its prompts, one a line. */
import { App, Form, Input, Modal } from "antd";
import { useTranslation } from "react-i18next";

import { errorMessage } from "../../../lib/errorMessage";
import { useCreatePromptSet } from "./api";
import type { PromptSet } from "./types";
import { promptLines } from "./vote";

interface Values {
  name: string;
  prompts: string;
}

export function PromptSetModal({ open, onClose }: { open: boolean; onClose: (created?: PromptSet) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreatePromptSet();

  const submit = (values: Values) => {
    const prompts = promptLines(values.prompts);
    create.mutate({ name: values.name.trim(), prompts }, {
      onSuccess: (created) => {
        message.success(t("arena.battle.setCreated", { name: created.name, count: created.prompts.length }));
        form.resetFields();
        onClose(created);
      },
      onError: (error) => message.error(errorMessage(error, t)),
    });
  };

  return (
    <Modal open={open} title={t("arena.battle.newSet")} okText={t("common.create")} onOk={() => form.submit()}
           confirmLoading={create.isPending} onCancel={() => onClose()} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="name" label={t("arena.battle.setName")} rules={[{ required: true, whitespace: true, max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="prompts" label={t("arena.battle.setPrompts")}
                   rules={[{ validator: (_, value: string | undefined) => promptLines(value ?? "").length > 0
                     ? Promise.resolve() : Promise.reject(new Error(t("arena.battle.setPromptsRequired"))) }]}>
          <Input.TextArea autoSize={{ minRows: 4, maxRows: 12 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
