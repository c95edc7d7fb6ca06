"""HTTP routes of the arena: prompt sets, blind battles and votes (evaluation:score), the leaderboard.

Developers create prompt sets (evaluation:write); anyone who scores may battle, vote and read the
leaderboard (annotators hold evaluation:score but not evaluation:read, and they are the voters).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from llmore.auth.permissions import Perm
from llmore.auth.service import Principal
from llmore.deps import DB, get_settings, requires
from llmore.evaluation.arena import service
from llmore.evaluation.arena.schemas import (
    BattleCreate,
    BattleOut,
    Leaderboard,
    PromptSetCreate,
    PromptSetOut,
    VoteCreate,
)
from llmore.gateway.routing import relay_of
from llmore.settings import Settings

router = APIRouter(prefix="/api/evaluation/arena", tags=["arena"])


@router.post("/prompt-sets", response_model=PromptSetOut, status_code=201, summary="Store a prompt set")
def create_prompt_set(body: PromptSetCreate, _: Principal = requires(Perm.EVALUATION_WRITE),
                      db: Session = DB) -> PromptSetOut:
    return PromptSetOut.model_validate(service.create_prompt_set(db, body), from_attributes=True)


@router.get("/prompt-sets", response_model=list[PromptSetOut], summary="Prompt sets, by name")
def list_prompt_sets(_: Principal = requires(Perm.EVALUATION_SCORE), db: Session = DB) -> list[PromptSetOut]:
    return [PromptSetOut.model_validate(row, from_attributes=True) for row in service.list_prompt_sets(db)]


@router.get("/models", response_model=list[str], summary="Chat models served now (battle contestants)")
def served_models(_: Principal = requires(Perm.EVALUATION_SCORE), db: Session = DB) -> list[str]:
    return service.chat_models(db)


@router.post("/battles", response_model=BattleOut, status_code=201, summary="Start a battle: two anonymous answers")
async def create_battle(body: BattleCreate, request: Request, principal: Principal = requires(Perm.EVALUATION_SCORE),
                        db: Session = DB, settings: Settings = Depends(get_settings)) -> BattleOut:
    prompt, models, clients = await run_in_threadpool(service.prepare_battle, settings, db, body, principal.user_id,
                                                      relay_of(request.app))
    answers = await service.answer_both(prompt, clients)
    battle = await run_in_threadpool(service.save_battle, db, body, prompt, models, answers)
    return await run_in_threadpool(service.battle_view, db, battle.id, principal.user_id)


@router.get("/battles/{battle_id}", response_model=BattleOut, summary="A battle (names once you voted)")
def get_battle(battle_id: int, principal: Principal = requires(Perm.EVALUATION_SCORE), db: Session = DB) -> BattleOut:
    return service.battle_view(db, battle_id, principal.user_id)


@router.post("/battles/{battle_id}/vote", response_model=BattleOut, summary="Vote once; the names are revealed")
def vote(battle_id: int, body: VoteCreate, principal: Principal = requires(Perm.EVALUATION_SCORE),
         db: Session = DB) -> BattleOut:
    return service.vote(db, battle_id, principal.user_id, body.outcome)


@router.get("/leaderboard", response_model=Leaderboard, summary="Elo and Bradley–Terry ratings with 95 % intervals")
def leaderboard(_: Principal = requires(Perm.EVALUATION_SCORE), db: Session = DB) -> Leaderboard:
    return service.leaderboard(db)
