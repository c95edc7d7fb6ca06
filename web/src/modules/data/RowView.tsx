/** One canonical row drawn readably: chat bubbles, preference columns, prompt/answer, text, label. */
import { Col, Flex, Row, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";

import type { DataSchema } from "../../api/types";
import { type Message, rowView } from "./rows";

const ROLE_COLORS: Record<string, string> = {
  system: "purple", user: "blue", assistant: "green", tool: "orange",
};

function Bubble({ message }: { message: Message }) {
  const mine = message.role === "assistant";
  return (
    <Flex justify={mine ? "flex-end" : "flex-start"}>
      <div className={`llmore-bubble llmore-bubble-${mine ? "assistant" : message.role === "system" ? "system" : "user"}`}>
        <Tag color={ROLE_COLORS[message.role] ?? "default"} style={{ marginBottom: 4 }}>{message.role}</Tag>
        <div className="llmore-row-text">{message.content}</div>
      </div>
    </Flex>
  );
}

function Messages({ messages }: { messages: Message[] }) {
  return <Flex vertical gap={6} style={{ width: "100%" }}>{messages.map((message, index) => <Bubble key={index} message={message} />)}</Flex>;
}

function Labeled({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{label}</Typography.Text>
      {children}
    </div>
  );
}

export function RowView({ row, schema }: { row: Record<string, unknown>; schema: DataSchema }) {
  const { t } = useTranslation();
  const view = rowView(row, schema);
  const body = view.body;
  let content: React.ReactNode;
  switch (body.kind) {
    case "chat":
      content = <Messages messages={body.messages} />;
      break;
    case "preference":
      content = (
        <Flex vertical gap={8}>
          <Labeled label={t("data.rows.prompt")}><Messages messages={body.prompt} /></Labeled>
          <Row gutter={12}>
            <Col xs={24} md={12}>
              <Labeled label={t("data.rows.chosen")}>
                <div className="llmore-pref llmore-pref-chosen"><Messages messages={body.chosen} /></div>
              </Labeled>
            </Col>
            <Col xs={24} md={12}>
              <Labeled label={t("data.rows.rejected")}>
                <div className="llmore-pref llmore-pref-rejected"><Messages messages={body.rejected} /></div>
              </Labeled>
            </Col>
          </Row>
        </Flex>
      );
      break;
    case "prompt_answer":
      content = (
        <Row gutter={12}>
          <Col xs={24} md={12}><Labeled label={t("data.rows.prompt")}><div className="llmore-row-text">{body.prompt}</div></Labeled></Col>
          <Col xs={24} md={12}><Labeled label={t("data.rows.answer")}><div className="llmore-row-text">{body.answer}</div></Labeled></Col>
        </Row>
      );
      break;
    case "text":
      content = <div className="llmore-row-text">{body.text}</div>;
      break;
    case "classification":
      content = (
        <Flex gap={8} align="flex-start">
          <Tag color="geekblue" data-testid="row-label">{body.label}</Tag>
          <div className="llmore-row-text">{body.text}</div>
        </Flex>
      );
      break;
    default:
      content = <pre className="llmore-log">{body.json}</pre>;
  }
  return (
    <Flex vertical gap={6} style={{ width: "100%" }} data-testid="dataset-row">
      <Flex gap={8} align="center">
        <Typography.Text type="secondary" code style={{ fontSize: 12 }}>{view.id}</Typography.Text>
        {view.split && <Tag color={view.split === "train" ? "blue" : view.split === "dev" ? "gold" : "magenta"}>
          {t(`data.splitNames.${view.split as "train" | "dev" | "test"}`, { defaultValue: view.split })}
        </Tag>}
      </Flex>
      {content}
    </Flex>
  );
}
