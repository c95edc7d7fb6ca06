"""Diagnosis rules on synthetic curves: each problem is caught, a healthy run raises nothing."""

from __future__ import annotations

import math
import random

from llmore.monitoring.diagnosis import diagnose


def curve(steps: int, start: float, end: float, noise: float = 0.02, seed: int = 1) -> list[tuple[int, float]]:
    """An exponential decay from ``start`` towards ``end`` with multiplicative noise."""
    rng = random.Random(seed)
    return [(s, (end + (start - end) * math.exp(-s / (steps / 4))) * (1 + rng.uniform(-noise, noise)))
            for s in range(1, steps + 1)]


def codes(series: dict[str, list[tuple[int, float]]]) -> list[str]:
    return [alert.code for alert in diagnose(series)]


def test_healthy_run_raises_nothing() -> None:
    evals = [(s, 2.5 + 1.0 * math.exp(-s / 100)) for s in range(50, 401, 50)]
    series = {"loss": curve(400, 3.0, 0.8)[:150], "eval_loss": evals, "grad_norm": curve(150, 2.0, 1.0),
              "learning_rate": [(s, 2e-4) for s in range(1, 151)]}
    assert codes(series) == []


def test_overfitting_is_caught_with_the_best_step() -> None:
    evals = [(50, 2.0), (100, 1.6), (150, 1.5), (200, 1.56), (250, 1.63), (300, 1.71)]
    alerts = diagnose({"loss": curve(300, 3.0, 0.3), "eval_loss": evals})
    assert [a.code for a in alerts] == ["overfitting"]
    assert "step 150" in alerts[0].title_en
    assert alerts[0].stop_recommended
    assert "过拟合" in alerts[0].title_zh


def test_one_noisy_evaluation_is_not_overfitting() -> None:
    evals = [(50, 2.0), (100, 1.6), (150, 1.65), (200, 1.5), (250, 1.45)]
    assert "overfitting" not in codes({"loss": curve(250, 3.0, 0.5), "eval_loss": evals})


def test_nan_and_exploding_gradients_are_divergence() -> None:
    nan_loss = [*curve(30, 3.0, 1.0), (31, float("nan"))]
    assert codes({"loss": nan_loss})[0] == "divergence"
    exploding = [(s, 1.0) for s in range(1, 21)] + [(s, 1.0 * 1.25 ** (s - 20)) for s in range(21, 61)]
    alerts = diagnose({"loss": curve(60, 3.0, 1.0), "grad_norm": exploding})
    assert alerts[0].code == "exploding_gradients"
    assert alerts[0].severity == "critical"


def test_plateau_and_underfitting() -> None:
    flat = [(s, 2.0 * (1 + 0.005 * math.sin(s))) for s in range(1, 201)]
    found = codes({"loss": flat, "learning_rate": [(s, 1e-6) for s in range(1, 201)]})
    assert "plateau" in found
    assert "underfitting" in found


def test_spikes_are_counted_but_smooth_noise_is_not() -> None:
    loss = curve(200, 3.0, 1.0, noise=0.03)
    assert "loss_spikes" not in codes({"loss": loss})
    spiky = [(s, v * (4.0 if s in (80, 140) else 1.0)) for s, v in loss]
    alerts = [a for a in diagnose({"loss": spiky}) if a.code == "loss_spikes"]
    assert alerts
    assert alerts[0].title_en.startswith("2 loss spike(s)")


def test_a_learning_rate_far_too_high_is_told_within_a_few_steps() -> None:
    # Shaped on a SmolLM2 LoRA run at learning rate 1e-1: the loss falls for two steps, then climbs.
    climbing = [(1, 5.6), (2, 5.1), (3, 6.9), (4, 12.0), (5, 19.5), (6, 27.0), (7, 33.1), (8, 40.2), (9, 38.7)]
    alerts = diagnose({"loss": climbing, "learning_rate": [(s, 1e-1) for s in range(1, 10)]})
    assert alerts[0].code == "loss_rising"
    assert alerts[0].stop_recommended
    assert "1.0e-01" in alerts[0].title_en
    assert "学习率" in alerts[0].advice_zh


def test_a_noisy_warm_up_bump_is_not_a_rising_loss() -> None:
    bump = [(1, 2.0), (2, 2.3), (3, 2.6), (4, 2.4), (5, 2.1), (6, 1.9), (7, 1.8), (8, 1.7), (9, 1.65), (10, 1.6)]
    assert "loss_rising" not in codes({"loss": bump})
    assert "loss_rising" not in codes({"loss": curve(300, 3.0, 0.8, noise=0.1)})


def test_a_gpu_waiting_for_its_data_is_told_after_half_a_minute_of_samples() -> None:
    loss = curve(60, 3.0, 1.0)
    busy = [(s, 90.0 + (s % 7)) for s in range(0, 60, 5)]
    starved = [(0, 0.0), *[(s, 8.0 + (s % 5)) for s in range(5, 60, 5)]]
    assert codes({"loss": loss, "gpu0_utilization_percent": busy, "gpu1_utilization_percent": busy}) == []
    alerts = diagnose({"loss": loss, "gpu0_utilization_percent": busy, "gpu1_utilization_percent": starved})
    assert [(alert.code, alert.title_en.split(" is ")[0]) for alert in alerts] == [("idle_gpu", "GPU 1")]
    # the first sample (model still loading) and a short wait are not judged: too few samples for a verdict
    assert codes({"loss": loss, "gpu0_utilization_percent": starved[:6]}) == []
