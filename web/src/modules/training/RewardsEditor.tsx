/**
 * GRPO's reward functions: add and remove rewards, pick each one's kind from the server's list,
 * fill that kind's fields and its weight; the server's refusals show on the field they name.
 */
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Card, Flex, Form, Input, InputNumber, Select, Switch, Typography } from "antd";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { newReward, REWARD_FIELDS, type RewardDraft } from "./advanced";
import { REWARD_KINDS } from "./types";

const MONO = { fontFamily: "ui-monospace, Menlo, Consolas, monospace", fontSize: 12 };

type Problems = Record<string, string[]>;

/** A labelled input with the server's problems for ``field`` (a request field name) under it. */
function Field({ label, field, problems, extra, children }: {
  label: string; field: string; problems: Problems; extra?: string; children: ReactNode;
}) {
  const messages = problems[field] ?? [];
  return (
    <Form.Item label={label} extra={extra} validateStatus={messages.length > 0 ? "error" : undefined}
               help={messages.length > 0 ? messages.map((m) => <div key={m}>{m}</div>) : undefined}
               style={{ marginBottom: 8 }}>
      {children}
    </Form.Item>
  );
}

function KindFields({ draft, index, problems, onChange }: {
  draft: RewardDraft; index: number; problems: Problems; onChange: (draft: RewardDraft) => void;
}) {
  const { t } = useTranslation();
  const testId = (name: string) => `reward-${index}-${name}`;
  switch (draft.reward) {
    case "regex":
      return (
        <Flex gap={16} align="end" wrap>
          <Field label={t("training.rewards.pattern")} field={REWARD_FIELDS.pattern} problems={problems}>
            <Input value={draft.pattern} style={{ ...MONO, width: 320 }} placeholder="<answer>.*</answer>"
                   onChange={(event) => onChange({ ...draft, pattern: event.target.value })} data-testid={testId("pattern")} />
          </Field>
          <Field label={t("training.rewards.full")} field={REWARD_FIELDS.full} problems={problems}>
            <Switch checked={draft.full} onChange={(full) => onChange({ ...draft, full })} />
          </Field>
        </Flex>
      );
    case "length":
      return (
        <Flex gap={16} wrap>
          <Field label={t("training.rewards.minChars")} field={REWARD_FIELDS.minChars} problems={problems}>
            <InputNumber min={0} precision={0} value={draft.minChars} data-testid={testId("min_chars")}
                         onChange={(value) => onChange({ ...draft, minChars: value ?? 0 })} />
          </Field>
          <Field label={t("training.rewards.maxChars")} field={REWARD_FIELDS.maxChars} problems={problems}>
            <InputNumber min={1} precision={0} value={draft.maxChars} data-testid={testId("max_chars")}
                         onChange={(value) => onChange({ ...draft, maxChars: value ?? 1 })} />
          </Field>
        </Flex>
      );
    case "python":
      return (
        <>
          <Field label={t("training.rewards.code")} field={REWARD_FIELDS.code} problems={problems}
                 extra={t("training.rewards.codeHelp")}>
            <Input.TextArea value={draft.code} autoSize={{ minRows: 4, maxRows: 20 }} spellCheck={false} style={MONO}
                            onChange={(event) => onChange({ ...draft, code: event.target.value })}
                            data-testid={testId("code")} />
          </Field>
          <Field label={t("training.rewards.timeout")} field={REWARD_FIELDS.timeoutSeconds} problems={problems}>
            <InputNumber min={0.1} max={30} step={0.5} value={draft.timeoutSeconds}
                         onChange={(value) => onChange({ ...draft, timeoutSeconds: value ?? 1 })} />
          </Field>
        </>
      );
    default: // exact_match and similarity compare with the reference answer and need nothing more
      return null;
  }
}

interface Props {
  rewards: RewardDraft[];
  onChange: (rewards: RewardDraft[]) => void;
  /** The server's problems per reward index, per request field ("" for the reward as a whole). */
  problems: Record<number, Problems>;
  /** Problems with the list itself (none given, …). */
  listProblems: string[];
}

export function RewardsEditor({ rewards, onChange, problems, listProblems }: Props) {
  const { t } = useTranslation();
  const update = (index: number, draft: RewardDraft) => onChange(rewards.map((old, i) => (i === index ? draft : old)));
  return (
    <Flex vertical gap={8} data-testid="rewards">
      <Typography.Text strong>{t("training.rewards.title")}</Typography.Text>
      <Typography.Text type="secondary">{t("training.rewards.help")}</Typography.Text>
      {listProblems.map((message) => <Typography.Text key={message} type="danger">{message}</Typography.Text>)}
      {rewards.map((draft, index) => {
        const own = problems[index] ?? {};
        return (
          // A reward has no identity beyond its place, and every input is controlled: the index is the key.
          <Card key={index} size="small" data-testid={`reward-${index}`}
                title={t("training.rewards.number", { number: index + 1 })}
                extra={<Button type="text" size="small" icon={<DeleteOutlined />} aria-label={t("training.rewards.remove")}
                               onClick={() => onChange(rewards.filter((_, i) => i !== index))} />}>
            {(own[""] ?? []).map((message) => <Typography.Text key={message} type="danger">{message}</Typography.Text>)}
            <Flex gap={16} wrap>
              <Field label={t("training.rewards.kind")} field="reward" problems={own}>
                <Select value={draft.reward} style={{ width: 240 }} data-testid={`reward-${index}-kind`}
                        onChange={(reward) => update(index, { ...draft, reward })}
                        options={REWARD_KINDS.map((kind) => ({ value: kind, label: t(`training.rewards.kinds.${kind}`) }))} />
              </Field>
              <Field label={t("training.rewards.weight")} field={REWARD_FIELDS.weight} problems={own}>
                <InputNumber step={0.5} value={draft.weight} onChange={(weight) => update(index, { ...draft, weight: weight ?? 1 })}
                             data-testid={`reward-${index}-weight`} />
              </Field>
            </Flex>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {t(`training.rewards.explain.${draft.reward}`)}
            </Typography.Paragraph>
            <KindFields draft={draft} index={index} problems={own} onChange={(changed) => update(index, changed)} />
          </Card>
        );
      })}
      <Button icon={<PlusOutlined />} onClick={() => onChange([...rewards, newReward("exact_match")])}
              style={{ alignSelf: "start" }} data-testid="add-reward">
        {t("training.rewards.add")}
      </Button>
    </Flex>
  );
}
