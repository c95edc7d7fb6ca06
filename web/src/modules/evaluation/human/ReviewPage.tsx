/**
 * The reviewers' quality check of a task: scored items with who scored them; accept them (one by
 * one or all at once) or send one back with a comment, which the evaluator sees when re-scoring.
 */
import { App, Button, Flex, Form, Input, Modal, Segmented, Table, type TableColumnsType, Tag, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { PageHeader } from "../../../components/PageHeader";
import { QueryError } from "../../../components/QueryError";
import { errorMessage } from "../../../lib/errorMessage";
import { formatDateTime } from "../../../lib/format";
import { useAcceptScored, useAssignments, useHumanTask, useReview } from "./api";
import { ItemTexts } from "./ItemTexts";
import type { AssignmentState, ReviewedAssignment } from "./types";

const STATES: AssignmentState[] = ["scored", "returned", "accepted", "pending", "skipped"];
const STATE_COLORS: Record<AssignmentState, string> = {
  pending: "default", skipped: "default", scored: "processing", returned: "warning", accepted: "success",
};
const PAGE_SIZE = 20;

function SendBackModal({ target, onClose }: { target: ReviewedAssignment | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ comment: string }>();
  const review = useReview();
  const onOk = async () => {
    const { comment } = await form.validateFields();
    if (!target) return;
    review.mutate({ id: target.id, decision: "return", comment }, {
      onSuccess: () => { form.resetFields(); onClose(); },
      onError: (error) => message.error(errorMessage(error, t)),
    });
  };
  return (
    <Modal open={target !== undefined} destroyOnHidden onCancel={onClose} confirmLoading={review.isPending}
           title={t("humanEval.reviewing.sendBackTitle", { evaluator: target?.evaluator ?? "" })}
           okText={t("humanEval.reviewing.sendBack")} cancelText={t("common.cancel")}
           onOk={() => void onOk().catch(() => undefined)}>
      <Form form={form} layout="vertical">
        <Form.Item name="comment"
                   rules={[{ required: true, whitespace: true, message: t("humanEval.reviewing.commentRequired") }]}>
          <Input.TextArea autoFocus maxLength={2000} autoSize={{ minRows: 3, maxRows: 8 }}
                          placeholder={t("humanEval.reviewing.commentPlaceholder")} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function ReviewPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const taskId = Number(useParams().taskId);
  const task = useHumanTask(taskId);
  const [state, setState] = useState<AssignmentState | "all">("scored");
  const [page, setPage] = useState(1);
  const rows = useAssignments(taskId, state === "all" ? undefined : state, page, PAGE_SIZE);
  const review = useReview();
  const acceptAll = useAcceptScored();
  const [sendingBack, setSendingBack] = useState<ReviewedAssignment>();

  const accept = (row: ReviewedAssignment) =>
    review.mutate({ id: row.id, decision: "accept", comment: "" },
                  { onError: (error) => message.error(errorMessage(error, t)) });

  const columns: TableColumnsType<ReviewedAssignment> = [
    { title: "#", dataIndex: "id", width: 70 },
    { title: t("humanEval.reviewing.evaluator"), dataIndex: "evaluator", width: 140 },
    { title: t("humanEval.reviewing.state"), key: "state", width: 150,
      render: (_, row) => (
        <Flex vertical gap={2}>
          <Tag color={STATE_COLORS[row.state]}>{t(`humanEval.reviewing.states.${row.state}`)}</Tag>
          {row.returns > 0 && <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t("humanEval.reviewing.returns", { count: row.returns })}</Typography.Text>}
        </Flex>
      ) },
    { title: t("humanEval.reviewing.scores"), key: "scores",
      render: (_, row) => (
        <Flex gap={4} wrap>
          {Object.entries(row.scores).map(([name, value]) => <Tag key={name}>{`${name} ${value}`}</Tag>)}
          {row.comment && <Typography.Text type="secondary" italic>{row.comment}</Typography.Text>}
        </Flex>
      ) },
    { title: t("humanEval.reviewing.scoredAt"), dataIndex: "scored_at", width: 170,
      render: (value: string | null) => formatDateTime(value) },
    { title: t("common.actions"), key: "actions", width: 200,
      render: (_, row) => row.state === "scored" && (
        <Flex gap={8}>
          <Button size="small" type="primary" onClick={() => accept(row)}>{t("humanEval.reviewing.accept")}</Button>
          <Button size="small" danger onClick={() => setSendingBack(row)}>{t("humanEval.reviewing.sendBack")}</Button>
        </Flex>
      ) },
  ];

  if (task.isError) return <QueryError error={task.error} onRetry={() => void task.refetch()} />;
  return (
    <>
      <PageHeader
        title={t("humanEval.reviewing.title", { name: task.data?.name ?? "" })}
        extra={
          <>
            <Link to="/evaluation/human"><Button>{t("common.back")}</Button></Link>
            <Button type="primary" loading={acceptAll.isPending}
                    onClick={() => acceptAll.mutate(taskId, {
                      onSuccess: ({ accepted }) =>
                        message.success(t("humanEval.reviewing.acceptedAll", { count: accepted })),
                      onError: (error) => message.error(errorMessage(error, t)),
                    })}>
              {t("humanEval.reviewing.acceptAll")}
            </Button>
          </>
        }
      >
        <Segmented<AssignmentState | "all"> value={state} onChange={(value) => { setState(value); setPage(1); }}
                   options={[...STATES.map((value) => ({ value, label: t(`humanEval.reviewing.states.${value}`) })),
                             { value: "all", label: t("common.all") }]} />
      </PageHeader>
      {rows.isError && !rows.data
        ? <QueryError error={rows.error} onRetry={() => void rows.refetch()} />
        : (
          <Table<ReviewedAssignment>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows.data?.items}
            loading={rows.isPending}
            expandable={{ expandedRowRender: (row) => <ItemTexts item={row} />, expandRowByClick: false }}
            pagination={{ current: page, pageSize: PAGE_SIZE, total: rows.data?.total ?? 0, onChange: setPage,
                          showTotal: (total) => t("common.total", { total }) }}
            scroll={{ x: 900 }}
          />
        )}
      <SendBackModal target={sendingBack} onClose={() => setSendingBack(undefined)} />
    </>
  );
}
