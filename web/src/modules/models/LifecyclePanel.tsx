/**
 * A version's lifecycle: its state, one button for each move the server would accept now, a
 * reason for the history, the server's refusal when it still says no (another user may have
 * moved the version meanwhile), and the history of every change.
 */
import { Alert, App, Button, Card, Flex, Input, Tag, Timeline, Typography } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { errorMessage } from "../../lib/errorMessage";
import { formatDateTime } from "../../lib/format";
import { useTransition } from "./api";
import { allowedMoves, DESTRUCTIVE_MOVES } from "./lifecycle";
import { StateTag } from "./tags";
import type { Lifecycle, ModelState, ModelTransition, ModelVersion } from "./types";

interface Props {
  version: ModelVersion;
  rules: Lifecycle;
  history: ModelTransition[];
  canWrite: boolean;
}

export function LifecyclePanel({ version, rules, history, canWrite }: Props) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const transition = useTransition();
  const [reason, setReason] = useState("");
  const [refusal, setRefusal] = useState<string | null>(null);
  const moves = allowedMoves(version.state, rules, history);

  const move = async (to: ModelState) => {
    setRefusal(null);
    try {
      await transition.mutateAsync({ id: version.model_id, number: version.number, to, reason: reason.trim() });
      message.success(t("models.lifecycle.moved", { reference: version.reference, state: t(`models.states.${to}`) }));
      setReason("");
    } catch (error) {
      setRefusal(errorMessage(error, t));
    }
  };

  const onMove = (to: ModelState) => {
    if (!DESTRUCTIVE_MOVES.has(to)) {
      void move(to);
      return;
    }
    modal.confirm({
      title: t("models.lifecycle.confirm", { reference: version.reference, state: t(`models.states.${to}`) }),
      content: to === "retired" ? t("models.lifecycle.retireHelp") : undefined,
      okText: t(`models.lifecycle.actions.${to}`), okButtonProps: { danger: true }, cancelText: t("common.cancel"),
      onOk: () => move(to),
    });
  };

  return (
    <Card size="small" title={t("models.lifecycle.title")} data-testid="lifecycle">
      <Flex vertical gap={12}>
        <Flex gap={8} align="center">
          <Typography.Text>{t("models.lifecycle.current")}</Typography.Text>
          <StateTag state={version.state} />
        </Flex>
        {canWrite && (moves.length === 0
          ? <Typography.Text type="secondary">{t("models.lifecycle.final")}</Typography.Text>
          : (
            <>
              <Input.TextArea value={reason} onChange={(event) => setReason(event.target.value)} maxLength={2000}
                              autoSize={{ minRows: 1, maxRows: 4 }} placeholder={t("models.lifecycle.reason")}
                              aria-label={t("models.lifecycle.reason")} data-testid="transition-reason" />
              <Flex gap={8} wrap data-testid="transition-actions">
                {moves.map((to) => (
                  <Button key={to} danger={DESTRUCTIVE_MOVES.has(to)} loading={transition.isPending && transition.variables?.to === to}
                          onClick={() => onMove(to)} data-state={to}>
                    {t(`models.lifecycle.actions.${to}`)}
                  </Button>
                ))}
              </Flex>
            </>
          ))}
        {refusal && (
          <Alert type="error" showIcon closable onClose={() => setRefusal(null)} title={t("models.lifecycle.refused")}
                 description={refusal} data-testid="transition-refused" />
        )}
        <Typography.Text strong>{t("models.lifecycle.history")}</Typography.Text>
        <Timeline data-testid="transition-history" items={history.map((entry) => ({
          key: entry.id,
          color: entry.forced ? "red" : "blue",
          content: (
            <Flex vertical gap={2}>
              <Flex gap={4} align="center" wrap>
                {entry.from_state ? <StateTag state={entry.from_state} /> : <Tag>{t("models.lifecycle.created")}</Tag>}
                <span>→</span>
                <StateTag state={entry.to_state} />
                {entry.forced && <Tag color="red">{t("models.lifecycle.forced")}</Tag>}
              </Flex>
              {entry.reason && <Typography.Text>{entry.reason}</Typography.Text>}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {formatDateTime(entry.created_at)} · {entry.created_by === null
                  ? t("models.lifecycle.bySystem") : t("models.lifecycle.byUser", { id: entry.created_by })}
              </Typography.Text>
            </Flex>
          ),
        }))} />
      </Flex>
    </Card>
  );
}
