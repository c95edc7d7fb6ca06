/**
 * An evaluator's scoring page: the next item of their queue (input, reference, answer; the model
 * stays hidden) and the rubric, driven by the keyboard (see `rubric.ts`) or the mouse.
 */
import { App, Alert, Button, Card, Empty, Flex, Input, Radio, Result, Spin, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { PageHeader } from "../../../components/PageHeader";
import { QueryError } from "../../../components/QueryError";
import { errorMessage } from "../../../lib/errorMessage";
import { typingIn } from "../../../lib/keyboard";
import { useHumanTask, useQueue, useScore, useSkip } from "./api";
import { ItemTexts } from "./ItemTexts";
import { emptyRubric, missingCriteria, type RubricAction, rubricKey, type RubricState } from "./rubric";
import type { Assignment, Criterion } from "./types";

function Rubric({ criteria, state, onChange }: { criteria: Criterion[]; state: RubricState;
                                                 onChange: (state: RubricState) => void }) {
  return (
    <Flex vertical gap={8} data-testid="rubric">
      {criteria.map((criterion, index) => (
        <Flex key={criterion.name} justify="space-between" align="center" gap={16} wrap
              data-testid={`criterion-${criterion.name}`} data-focused={index === state.focus}
              onClick={() => onChange({ ...state, focus: index })}
              style={{ padding: "8px 12px", borderRadius: 6, cursor: "pointer",
                       border: `1px solid ${index === state.focus ? "#1677ff" : "transparent"}`,
                       background: index === state.focus ? "rgba(22, 119, 255, 0.06)" : undefined }}>
          <Flex vertical style={{ minWidth: 220, flex: 1 }}>
            <Typography.Text strong>{criterion.name}</Typography.Text>
            {criterion.description && <Typography.Text type="secondary">{criterion.description}</Typography.Text>}
          </Flex>
          <Radio.Group optionType="button" buttonStyle="solid" value={state.scores[criterion.name]}
                       onChange={(event) => onChange({
                         focus: index, scores: { ...state.scores, [criterion.name]: event.target.value } })}
                       options={Array.from({ length: criterion.scale },
                                           (_, n) => ({ value: n + 1, label: String(n + 1) }))} />
        </Flex>
      ))}
    </Flex>
  );
}

function ScoringCard({ item, criteria, busy, onAction }: {
  item: Assignment; criteria: Criterion[]; busy: boolean;
  onAction: (action: RubricAction, scores: Record<string, number>, comment: string) => void;
}) {
  const { t } = useTranslation();
  const [rubric, setRubric] = useState(() => emptyRubric(item.scores));
  const [comment, setComment] = useState(item.comment);

  const onKey = useCallback((event: KeyboardEvent) => {
    if (busy || event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
    const result = rubricKey(rubric, criteria, event.key, event.shiftKey);
    if (!result.handled) return;
    event.preventDefault();
    setRubric(result.state);
    if (result.action) onAction(result.action, result.state.scores, comment);
  }, [busy, rubric, criteria, comment, onAction]);

  useEffect(() => {
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onKey]);

  const maxScale = Math.max(...criteria.map((criterion) => criterion.scale));
  return (
    <Flex vertical gap={16}>
      {item.state === "returned" && (
        <Alert type="warning" showIcon title={t("humanEval.scoring.returned")} description={item.review_comment}
               data-testid="review-comment" />
      )}
      {item.state === "skipped" && <Alert type="info" showIcon title={t("humanEval.scoring.onlySkipped")} />}
      <ItemTexts item={item} />
      <Card size="small" title={t("humanEval.scoring.rubric")}>
        <Rubric criteria={criteria} state={rubric} onChange={setRubric} />
        <Input.TextArea value={comment} onChange={(event) => setComment(event.target.value)} maxLength={2000}
                        placeholder={t("humanEval.scoring.comment")} autoSize={{ minRows: 1, maxRows: 4 }}
                        style={{ marginTop: 12 }} />
        <Flex justify="space-between" align="center" gap={8} wrap style={{ marginTop: 12 }}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t("humanEval.scoring.keys", { max: maxScale })}
          </Typography.Text>
          <Flex gap={8}>
            <Button disabled={busy} onClick={() => onAction("skip", rubric.scores, comment)}>
              {t("humanEval.scoring.skip")}
            </Button>
            <Button type="primary" loading={busy} onClick={() => onAction("submit", rubric.scores, comment)}>
              {t("humanEval.scoring.submit")}
            </Button>
          </Flex>
        </Flex>
      </Card>
    </Flex>
  );
}

export default function ScorePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const taskId = Number(useParams().taskId);
  const task = useHumanTask(taskId);
  const queue = useQueue(taskId);
  const score = useScore();
  const skip = useSkip();
  const criteria = task.data?.criteria ?? [];
  const item = queue.data?.item;

  const onAction = useCallback((action: RubricAction, scores: Record<string, number>, comment: string) => {
    if (!item) return;
    if (action === "skip") {
      skip.mutate(item.id, { onError: (error) => message.error(errorMessage(error, t)) });
      return;
    }
    const missing = missingCriteria(criteria, scores);
    if (missing.length > 0) {
      message.warning(t("humanEval.scoring.missing", { names: missing.join(", ") }));
      return;
    }
    score.mutate({ id: item.id, scores, comment }, { onError: (error) => message.error(errorMessage(error, t)) });
  }, [item, criteria, score, skip, message, t]);

  if (task.isError || queue.isError) {
    return <QueryError error={task.error ?? queue.error} onRetry={() => void queue.refetch()} />;
  }
  if (!task.data || !queue.data) return <Spin />;
  const busy = score.isPending || skip.isPending || queue.isFetching;
  return (
    <>
      <PageHeader title={t("humanEval.scoring.title", { name: task.data.name })}
                  extra={<Link to="/evaluation/human"><Button>{t("common.back")}</Button></Link>}>
        <Typography.Text data-testid="queue-counter">
          {t("humanEval.scoring.counter",
             { done: queue.data.done, total: queue.data.total, remaining: queue.data.remaining })}
        </Typography.Text>
        {task.data.instructions && <Typography.Paragraph type="secondary">{task.data.instructions}</Typography.Paragraph>}
      </PageHeader>
      {item
        ? <ScoringCard key={`${item.id}:${item.state}:${item.returns}`} item={item} criteria={criteria} busy={busy}
                       onAction={onAction} />
        : queue.data.total > 0
          ? <Result status="success" title={t("humanEval.scoring.allDone")} />
          : <Empty />}
    </>
  );
}
