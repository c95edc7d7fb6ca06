/**
 * The arena's battle page: a prompt (typed, or the next of a prompt set) answered by two anonymous
 * served models side by side; a vote by button or key (see `vote.ts`) reveals who was who.
 */
import { Alert, App, Button, Card, Col, Flex, Input, InputNumber, Row, Select, Spin, Tag, Typography } from "antd";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { useCan } from "../../../auth/useMe";
import { PageHeader } from "../../../components/PageHeader";
import { errorMessage } from "../../../lib/errorMessage";
import { typingIn } from "../../../lib/keyboard";
import { useArenaModels, usePromptSets, useStartBattle, useVote } from "./api";
import { PromptSetModal } from "./PromptSetModal";
import type { Battle, BattleCreate, VoteOutcome } from "./types";
import { OUTCOMES, VOTE_KEYS, voteForKey } from "./vote";

const VOTE_LABEL = {
  a: "arena.battle.voteA", b: "arena.battle.voteB", tie: "arena.battle.voteTie", both_bad: "arena.battle.voteBothBad",
} as const satisfies Record<VoteOutcome, string>;
const TEMPERATURE = 0.7;

function Answer({ side, battle }: { side: "a" | "b"; battle: Battle }) {
  const { t } = useTranslation();
  const name = side === "a" ? battle.model_a : battle.model_b;
  return (
    <Card size="small" style={{ height: "100%" }} data-testid={`answer-${side}`}
          title={<Flex gap={8} align="center">
            {t(side === "a" ? "arena.battle.modelA" : "arena.battle.modelB")}
            {name && <Tag color="blue" data-testid={`name-${side}`}>{name}</Tag>}
          </Flex>}>
      <Typography.Paragraph style={{ whiteSpace: "pre-wrap", margin: 0 }}>
        {side === "a" ? battle.answer_a : battle.answer_b}
      </Typography.Paragraph>
    </Card>
  );
}

function VoteBar({ battle, busy, onVote }: { battle: Battle; busy: boolean; onVote: (outcome: VoteOutcome) => void }) {
  const { t } = useTranslation();
  return (
    <Flex vertical gap={8} align="center">
      <Flex gap={8} wrap justify="center">
        {OUTCOMES.map((outcome) => (
          <Button key={outcome} data-testid={`vote-${outcome}`} disabled={busy || Boolean(battle.vote)}
                  type={battle.vote === outcome ? "primary" : "default"} onClick={() => onVote(outcome)}>
            {t(VOTE_LABEL[outcome])} <Typography.Text keyboard>{VOTE_KEYS[outcome][0]}</Typography.Text>
          </Button>
        ))}
      </Flex>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t("arena.battle.keys")}</Typography.Text>
    </Flex>
  );
}

export default function BattlePage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const can = useCan();
  const models = useArenaModels();
  const promptSets = usePromptSets();
  const start = useStartBattle();
  const vote = useVote();
  const [prompt, setPrompt] = useState("");
  const [promptSetId, setPromptSetId] = useState<number | undefined>();
  const [chosen, setChosen] = useState<string[]>([]);
  const [maxTokens, setMaxTokens] = useState(256);
  const [battle, setBattle] = useState<Battle | null>(null);
  const [creating, setCreating] = useState(false);

  const begin = (source: Pick<BattleCreate, "prompt" | "prompt_set_id">) => {
    setBattle(null);
    const models = chosen.length === 2 ? chosen : null;
    start.mutate({ ...source, max_tokens: maxTokens, temperature: TEMPERATURE, models }, {
      onSuccess: setBattle,
      onError: (error) => message.error(errorMessage(error, t)),
    });
  };

  const cast = useCallback((outcome: VoteOutcome) => {
    if (!battle || Boolean(battle.vote) || vote.isPending) return;
    vote.mutate({ id: battle.id, outcome }, {
      onSuccess: setBattle,
      onError: (error) => message.error(errorMessage(error, t)),
    });
  }, [battle, vote, message, t]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
      const outcome = voteForKey(event.key);
      if (outcome === null || !battle || Boolean(battle.vote)) return;
      event.preventDefault();
      cast(outcome);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [battle, cast]);

  const served = models.data ?? [];
  const next = () => (battle?.prompt_set_id ? begin({ prompt_set_id: battle.prompt_set_id }) : setBattle(null));
  return (
    <>
      <PageHeader title={t("arena.title")} extra={<>
        {can("evaluation:write") && <Button onClick={() => setCreating(true)}>{t("arena.battle.newSet")}</Button>}
        <Link to="/evaluation/arena/leaderboard"><Button>{t("arena.leaderboard")}</Button></Link>
      </>}>
        <Typography.Text type="secondary">{t("arena.intro")}</Typography.Text>
      </PageHeader>
      {models.data && served.length < 2 && (
        <Alert type="warning" showIcon title={t("arena.battle.tooFewModels", { count: served.length })}
               style={{ marginBottom: 16 }} />
      )}
      <Card size="small" style={{ marginBottom: 16 }}>
        <Flex vertical gap={12}>
          <Flex gap={8} align="center" wrap>
            <Typography.Text>{t("arena.battle.models")}</Typography.Text>
            <Select mode="multiple" maxCount={2} allowClear style={{ minWidth: 320 }} value={chosen} onChange={setChosen}
                    placeholder={t("arena.battle.modelsPlaceholder")} data-testid="arena-models"
                    options={served.map((name) => ({ value: name, label: name }))} />
            <Typography.Text type="secondary">{t("arena.battle.modelsHelp", { count: served.length })}</Typography.Text>
            <Typography.Text>{t("arena.battle.maxTokens")}</Typography.Text>
            <InputNumber min={1} max={4096} value={maxTokens} onChange={(value) => setMaxTokens(value ?? 256)}
                         aria-label={t("arena.battle.maxTokens")} data-testid="arena-max-tokens" />
          </Flex>
          <Flex gap={8} align="start">
            <Input.TextArea value={prompt} onChange={(event) => setPrompt(event.target.value)} maxLength={20000}
                            autoSize={{ minRows: 2, maxRows: 8 }} placeholder={t("arena.battle.promptPlaceholder")}
                            aria-label={t("arena.battle.prompt")} data-testid="arena-prompt" />
            <Button type="primary" disabled={!prompt.trim() || start.isPending} data-testid="arena-send"
                    onClick={() => begin({ prompt })}>
              {t("arena.battle.send")}
            </Button>
          </Flex>
          <Flex gap={8} align="center" wrap>
            <Select style={{ minWidth: 240 }} value={promptSetId} onChange={setPromptSetId} allowClear
                    placeholder={t("arena.battle.promptSetPlaceholder")} aria-label={t("arena.battle.promptSet")}
                    data-testid="arena-prompt-set" loading={promptSets.isLoading}
                    options={(promptSets.data ?? []).map((set) => ({ value: set.id, label: `${set.name} (${set.prompts.length})` }))} />
            <Button disabled={promptSetId === undefined || start.isPending} data-testid="arena-next-prompt"
                    onClick={() => promptSetId !== undefined && begin({ prompt_set_id: promptSetId })}>
              {t("arena.battle.nextPrompt")}
            </Button>
          </Flex>
        </Flex>
      </Card>
      {start.isPending && <Flex justify="center" style={{ padding: 32 }}><Spin tip={t("arena.battle.generating")}><div /></Spin></Flex>}
      {battle && (
        <Flex vertical gap={16} data-testid="battle" data-battle-id={battle.id}>
          <Card size="small" title={t("arena.battle.prompt")}>
            <Typography.Paragraph style={{ whiteSpace: "pre-wrap", margin: 0 }} data-testid="battle-prompt">
              {battle.prompt}
            </Typography.Paragraph>
          </Card>
          <Row gutter={16}>
            <Col xs={24} md={12}><Answer side="a" battle={battle} /></Col>
            <Col xs={24} md={12}><Answer side="b" battle={battle} /></Col>
          </Row>
          <VoteBar battle={battle} busy={vote.isPending} onVote={cast} />
          {battle.vote && (
            <Alert type="success" showIcon data-testid="revealed"
                   title={t("arena.battle.revealed", { a: battle.model_a, b: battle.model_b })}
                   description={t("arena.battle.yourVote", { vote: t(VOTE_LABEL[battle.vote]) })}
                   action={<Button type="primary" data-testid="arena-next" onClick={next}>{t("arena.battle.next")}</Button>} />
          )}
        </Flex>
      )}
      <PromptSetModal open={creating} onClose={(created) => {
        setCreating(false);
        if (created) setPromptSetId(created.id);
      }} />
    </>
  );
}
