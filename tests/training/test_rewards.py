"""GRPO's reward functions score answers as documented, and user code is refused with its line before it runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from llmore.datasets.cleaning import UserCodeError
from llmore.settings import Settings
from llmore.training.rewards import RewardSpec, check_reward_code

REWARD = TypeAdapter(RewardSpec)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Rewards touch no database: one settings object, not one per database backend."""
    return Settings(home=tmp_path / "home")

PROMPTS = [[{"role": "user", "content": "Capital of France?"}]] * 3


def scores(spec: dict[str, object], answers: list[str], settings: Settings, reference: str = "Paris") -> list[float]:
    function = REWARD.validate_python(spec).build(settings)
    completions = [[{"role": "assistant", "content": answer}] for answer in answers]
    return function(prompts=PROMPTS[: len(answers)], completions=completions, reference=[reference] * len(answers))


def test_built_in_rewards(settings: Settings) -> None:
    assert scores({"reward": "exact_match"}, [" paris ", "Paris.", "London"], settings) == [1.0, 0.0, 0.0]
    assert scores({"reward": "regex", "pattern": r"\d+"}, ["42 km", "forty"], settings) == [1.0, 0.0]
    assert scores({"reward": "regex", "pattern": r"\d+", "full": True}, ["42 km", "42"], settings) == [0.0, 1.0]
    length = scores({"reward": "length", "min_chars": 5, "max_chars": 9}, ["abcdefg", "abc", "a" * 30], settings)
    assert length == [1.0, pytest.approx(0.6), 0.0]  # 2 short of a 5-wide range: 1 - 2/5


def test_similarity_prefers_answers_that_mean_the_reference(settings: Settings) -> None:
    close, unrelated = scores({"reward": "similarity"}, ["It is Paris, in France.", "Bananas are yellow."],
                              settings, reference="Paris is the capital of France.")
    assert close > 0.5 > unrelated


def test_user_reward_runs_and_its_mistakes_name_the_line(settings: Settings) -> None:
    code = "def reward(completion, reference, prompt):\n    return len(completion) / 10\n"
    assert scores({"reward": "python", "code": code}, ["abcde"], settings) == [0.5]
    with pytest.raises(UserCodeError, match=r"line 2: syntax error"):
        check_reward_code("def reward(completion, reference, prompt):\n    return (\n")
    with pytest.raises(UserCodeError, match=r"line 1: reward\(\) takes exactly three arguments"):
        check_reward_code("def reward(completion):\n    return 1.0\n")
    with pytest.raises(UserCodeError, match=r"line 2: imports are not allowed"):
        check_reward_code("def reward(completion, reference, prompt):\n    import os\n    return 1.0\n")
    with pytest.raises(UserCodeError, match=r"define a function: def reward"):
        check_reward_code("def score(completion, reference, prompt):\n    return 1.0\n")
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        REWARD.validate_python({"reward": "regex", "pattern": "(unclosed"})
    failing = "def reward(completion, reference, prompt):\n    x = 1\n    return completion / x\n"
    with pytest.raises(UserCodeError, match=r"line 3: reward\(\) raised TypeError"):
        scores({"reward": "python", "code": failing}, ["abc"], settings)
    endless = "def reward(completion, reference, prompt):\n    while True:\n        pass\n"
    with pytest.raises(UserCodeError, match=r"ran longer than 0.2 s"):
        scores({"reward": "python", "code": endless, "timeout_seconds": 0.2}, ["abc"], settings)
