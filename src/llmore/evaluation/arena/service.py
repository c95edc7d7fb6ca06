"""The arena: prompt sets, battles answered through the gateway, one blind vote per user, the leaderboard."""

from __future__ import annotations

import asyncio
import functools
import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from llmore.db.crud import get_or_404
from llmore.errors import AppError, Conflict
from llmore.evaluation import ratings
from llmore.evaluation.arena.models import ArenaBattle, ArenaPromptSet, ArenaVote
from llmore.evaluation.arena.schemas import (
    BattleCreate,
    BattleOut,
    Leaderboard,
    LeaderboardRow,
    PromptSetCreate,
    VoteOutcome,
)
from llmore.evaluation.judge import ChatClient, not_deployed, served_chat_client
from llmore.gateway.routing import Relay
from llmore.serving import service as serving_service
from llmore.settings import Settings

CHAT_ENGINES_EXCLUDED = frozenset({"embeddings"})
"""Engines whose models cannot answer a chat prompt, so they never enter a battle."""
RATED_AS = {VoteOutcome.A: ratings.Outcome.A, VoteOutcome.B: ratings.Outcome.B,
            VoteOutcome.TIE: ratings.Outcome.TIE, VoteOutcome.BOTH_BAD: ratings.Outcome.TIE}


def create_prompt_set(db: Session, body: PromptSetCreate) -> ArenaPromptSet:
    """Store a prompt set; an empty one or a taken name is refused."""
    if not body.prompts:
        raise AppError(f"The prompt set {body.name!r} has no prompts: give at least one in `prompts`.",
                       code="empty_prompt_set", details=[{"field": "prompts", "message": "empty"}])
    if db.scalar(select(ArenaPromptSet.id).where(ArenaPromptSet.name == body.name)) is not None:
        raise Conflict(f"A prompt set named {body.name!r} exists already; choose another name.",
                       details=[{"field": "name", "message": "taken"}])
    prompt_set = ArenaPromptSet(name=body.name, prompts=list(body.prompts))
    db.add(prompt_set)
    db.flush()
    return prompt_set


def list_prompt_sets(db: Session) -> list[ArenaPromptSet]:
    return list(db.scalars(select(ArenaPromptSet).order_by(ArenaPromptSet.name)))


def chat_models(db: Session) -> list[str]:
    """The names of the chat models live workers serve now (what a battle may draw from)."""
    return sorted({name for worker in serving_service.live_workers(db)
                   if worker.engine not in CHAT_ENGINES_EXCLUDED for name in worker.models})


def _next_prompt(db: Session, prompt_set_id: int, user_id: int) -> str:
    """The set's prompts in turn for each user: the one after the last this user battled on."""
    prompt_set = get_or_404(db, ArenaPromptSet, prompt_set_id, label="prompt set")
    if not prompt_set.prompts:
        raise AppError(f"The prompt set {prompt_set.name!r} has no prompts; add some or type your own prompt.",
                       code="empty_prompt_set", details=[{"field": "prompt_set_id", "message": "empty"}])
    done = db.scalar(select(func.count(ArenaBattle.id)).where(ArenaBattle.prompt_set_id == prompt_set_id,
                                                               ArenaBattle.created_by == user_id)) or 0
    return prompt_set.prompts[done % len(prompt_set.prompts)]


def _contestants(db: Session, requested: list[str] | None) -> tuple[str, str]:
    """The two models of a battle in a random order (A and B), drawn from the served ones unless given."""
    served = chat_models(db)
    if requested is None:
        if len(served) < 2:
            raise AppError(
                f"The arena needs two served models; {len(served)} served now ({', '.join(served) or 'none'}). "
                "Start another with `llmore worker --model … --control-plane …`.",
                code="too_few_models", details=[{"field": "models", "message": "fewer than two served"}])
        first, second = random.sample(served, 2)
        return first, second
    if requested[0] == requested[1]:
        raise AppError("A battle needs two different models.", code="same_model",
                       details=[{"field": "models", "message": "both are the same model"}])
    for position, name in enumerate(requested):
        if name not in served:
            raise not_deployed(name, f"models[{position}]")
    first, second = random.sample(requested, 2)
    return first, second


def prepare_battle(settings: Settings, db: Session, body: BattleCreate, user_id: int,
                   relay: Relay | None) -> tuple[str, tuple[str, str], tuple[ChatClient, ChatClient]]:
    """The prompt, the two contestants and a client for each: everything a battle needs from the database."""
    if (body.prompt is None) == (body.prompt_set_id is None):
        raise AppError("Give either your own `prompt` or a `prompt_set_id` to take the next prompt from.",
                       code="prompt_required", details=[{"field": "prompt", "message": "give prompt or prompt_set_id"}])
    prompt = body.prompt if body.prompt is not None else _next_prompt(db, body.prompt_set_id or 0, user_id)
    models = _contestants(db, body.models)
    params = {"max_tokens": body.max_tokens, "temperature": body.temperature}

    def client(name: str) -> ChatClient:
        return served_chat_client(settings, db, name, relay=relay, field_name="models", **params)

    return prompt, models, (client(models[0]), client(models[1]))


async def answer_both(prompt: str, clients: tuple[ChatClient, ChatClient]) -> tuple[str, str]:
    """Both contestants' answers, generated at the same time."""
    messages = [{"role": "user", "content": prompt}]
    first, second = await asyncio.gather(clients[0](messages), clients[1](messages))
    return first, second


def save_battle(db: Session, body: BattleCreate, prompt: str, models: tuple[str, str],
                answers: tuple[str, str]) -> ArenaBattle:
    battle = ArenaBattle(prompt=prompt, prompt_set_id=body.prompt_set_id, model_a=models[0], model_b=models[1],
                         answer_a=answers[0], answer_b=answers[1])
    db.add(battle)
    db.flush()
    return battle


def _vote_of(db: Session, battle_id: int, user_id: int) -> ArenaVote | None:
    return db.scalar(select(ArenaVote).where(ArenaVote.battle_id == battle_id, ArenaVote.user_id == user_id))


def battle_view(db: Session, battle_id: int, user_id: int) -> BattleOut:
    """The battle as ``user_id`` may see it: the contestants stay anonymous until this user has voted."""
    battle = get_or_404(db, ArenaBattle, battle_id, label="battle")
    vote = _vote_of(db, battle_id, user_id)
    revealed = {"vote": vote.outcome, "model_a": battle.model_a, "model_b": battle.model_b} if vote else {}
    return BattleOut(id=battle.id, prompt=battle.prompt, prompt_set_id=battle.prompt_set_id,
                     answer_a=battle.answer_a, answer_b=battle.answer_b, created_at=battle.created_at, **revealed)


def vote(db: Session, battle_id: int, user_id: int, outcome: VoteOutcome) -> BattleOut:
    """Record ``user_id``'s one vote on the battle and reveal the names."""
    get_or_404(db, ArenaBattle, battle_id, label="battle")
    earlier = _vote_of(db, battle_id, user_id)
    if earlier is not None:
        raise Conflict(f"You already voted '{earlier.outcome}' on battle {battle_id}; each user votes once per "
                       "battle. Start a new battle to vote again.", code="already_voted",
                       details=[{"field": "outcome", "message": "already voted"}])
    db.add(ArenaVote(battle_id=battle_id, user_id=user_id, outcome=outcome.value))
    db.flush()
    return battle_view(db, battle_id, user_id)


@functools.lru_cache(maxsize=8)
def _rate(votes: tuple[ratings.Vote, ...]) -> tuple[list[ratings.Rating], list[ratings.Rating]]:
    """Elo and Bradley–Terry tables of ``votes``, remembered: the bootstrap refits hundreds of times, and the
    leaderboard is read far more often than anyone votes."""
    return ratings.elo_ratings(votes), ratings.bradley_terry_ratings(votes)


def leaderboard(db: Session) -> Leaderboard:
    """Elo and Bradley–Terry ratings with bootstrap 95 % intervals over every vote; ranked by Bradley–Terry."""
    rows = db.execute(select(ArenaBattle.model_a, ArenaBattle.model_b, ArenaVote.outcome)
                      .join(ArenaVote, ArenaVote.battle_id == ArenaBattle.id).order_by(ArenaVote.id)).all()
    votes = tuple(ratings.Vote(a, b, RATED_AS[VoteOutcome(outcome)]) for a, b, outcome in rows)
    if not votes:
        return Leaderboard(votes=0, models=[])
    elo_table, bt_table = _rate(votes)
    elo = {r.model: r for r in elo_table}
    return Leaderboard(votes=len(votes), models=[
        LeaderboardRow(model=bt.model, rank=bt.rank, elo=elo[bt.model].rating, elo_low=elo[bt.model].ci_low,
                       elo_high=elo[bt.model].ci_high, bt=bt.rating, bt_low=bt.ci_low, bt_high=bt.ci_high,
                       votes=bt.games, wins=bt.wins, win_rate=round(bt.wins / bt.games, 4))
        for bt in bt_table
    ])
