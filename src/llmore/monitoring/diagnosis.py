"""Diagnosis rules over training curves: plain-language alerts with advice, in English and Chinese.

Every rule judges a trend over a window of points, never a single pair: noise in one step must
not raise an alarm. Inputs are metric series as the job system stores them (``{name: [(step,
value), ...]}``, e.g. ``loss``, ``eval_loss``, ``grad_norm``, ``learning_rate``).
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections.abc import Sequence
from enum import StrEnum

from pydantic import BaseModel

Points = Sequence[tuple[int, float]]

OVERFIT_EVALS = 3  # consecutive evaluations with rising eval loss
PLATEAU_MIN_STEPS = 60
PLATEAU_WINDOW_SHARE = 0.3
PLATEAU_MIN_GAIN = 0.01
SPIKE_WINDOW = 20
SPIKE_MADS = 6.0
EXPLODING_GRAD_FACTOR = 10.0
UNDERFIT_MIN_STEPS = 100
UNDERFIT_REMAINING = 0.9
RISING_MIN_POINTS = 8  # enough logged steps for a trend after a typical warm-up
RISING_FACTOR = 1.5  # the smoothed loss this far above its best is no longer noise
IDLE_GPU_SAMPLES = 6  # system samples (every 5 s): half a minute of a busy-or-idle verdict
IDLE_GPU_PERCENT = 30.0  # median utilisation below this while training means the GPU waits for its input
GPU_UTILIZATION = re.compile(r"^gpu(\d+)_utilization_percent$")


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Alert(BaseModel):
    """One diagnosis: what was seen, at which step, why it matters and what to do."""

    code: str
    severity: Severity
    step: int
    title_en: str
    title_zh: str
    advice_en: str
    advice_zh: str
    stop_recommended: bool = False


def _finite(points: Points) -> list[tuple[int, float]]:
    return [(step, value) for step, value in points if math.isfinite(value)]


def _smooth(values: list[float], width: int = 5) -> list[float]:
    return [statistics.fmean(values[max(0, i - width + 1) : i + 1]) for i in range(len(values))]


def _slope(points: Sequence[tuple[int, float]]) -> float:
    """Least-squares slope of value over step."""
    if len(points) < 2:
        return 0.0
    steps, values = [p[0] for p in points], [p[1] for p in points]
    mean_s, mean_v = statistics.fmean(steps), statistics.fmean(values)
    spread = sum((s - mean_s) ** 2 for s in steps)
    return 0.0 if spread == 0 else sum((s - mean_s) * (v - mean_v) for s, v in points) / spread


def divergence(series: dict[str, Points]) -> Alert | None:
    """NaN/inf in the loss or gradients, or a gradient norm that explodes."""
    for name in ("loss", "grad_norm"):
        bad = next((step for step, value in series.get(name, []) if not math.isfinite(value)), None)
        if bad is not None:
            return Alert(
                code="divergence",
                severity=Severity.CRITICAL,
                step=bad,
                stop_recommended=True,
                title_en=f"Training diverged: {name} became NaN or infinite",
                title_zh=f"训练发散：{name} 出现 NaN 或无穷大",
                advice_en="Stop this run. Lower the learning rate (e.g. by 10×), keep gradient clipping on "
                "(max_grad_norm 1.0), and train in bf16 or fp32 rather than fp16.",
                advice_zh="请停止本次训练。把学习率降低（例如降为十分之一），保持梯度裁剪（max_grad_norm 1.0），"
                "并使用 bf16 或 fp32 而不是 fp16。",
            )
    grads = _finite(series.get("grad_norm", []))
    if len(grads) >= 2 * SPIKE_WINDOW:
        early = statistics.median(v for _, v in grads[:SPIKE_WINDOW])
        late = statistics.median(v for _, v in grads[-SPIKE_WINDOW:])
        if early > 0 and late > EXPLODING_GRAD_FACTOR * early:
            return Alert(
                code="exploding_gradients",
                severity=Severity.CRITICAL,
                step=grads[-1][0],
                stop_recommended=True,
                title_en=f"Gradient norm grew {late / early:.0f}× since the start",
                title_zh=f"梯度范数比开始时增大了 {late / early:.0f} 倍",
                advice_en="The run is becoming unstable: lower the learning rate, enable gradient clipping and "
                "a warm-up, or use bf16/fp32.",
                advice_zh="训练正在变得不稳定：请降低学习率，开启梯度裁剪和预热（warm-up），或使用 bf16/fp32。",
            )
    return None


def rising_loss(series: dict[str, Points]) -> Alert | None:
    """A loss that climbs steadily well above its best: the usual sign of a learning rate far too high.

    It fires long before the gradient norm has a window long enough to call an explosion, and
    before anything turns NaN, so a run with an absurd learning rate is told within steps.
    """
    loss = _finite(series.get("loss", []))
    if len(loss) < RISING_MIN_POINTS:
        return None
    smoothed = _smooth([value for _, value in loss])
    window = max(RISING_MIN_POINTS, int(len(loss) * PLATEAU_WINDOW_SHARE))
    recent = list(zip((step for step, _ in loss[-window:]), smoothed[-window:], strict=True))
    best = min(smoothed)
    if best <= 0 or smoothed[-1] < RISING_FACTOR * best or _slope(recent) <= 0:
        return None
    rate = series.get("learning_rate", [])
    lr_note = f" (learning rate {rate[-1][1]:.1e})" if rate else ""
    return Alert(
        code="loss_rising",
        severity=Severity.CRITICAL,
        step=loss[-1][0],
        stop_recommended=True,
        title_en=f"Loss is rising: {smoothed[-1]:.3g} at step {loss[-1][0]}, {smoothed[-1] / best:.1f}× its best"
        f"{lr_note}",
        title_zh=f"损失在上升：第 {loss[-1][0]} 步为 {smoothed[-1]:.3g}，是最低值的 {smoothed[-1] / best:.1f} 倍",
        advice_en="The learning rate is almost certainly too high: stop this run and start again with the "
        "advisor's proposed learning rate (or 10× lower than this one), with warm-up and gradient clipping on.",
        advice_zh="学习率几乎可以肯定过高：请停止本次训练，用顾问建议的学习率（或比当前低 10 倍）重新开始，"
        "并开启预热（warm-up）和梯度裁剪。",
    )


def overfitting(series: dict[str, Points]) -> Alert | None:
    """Eval loss rising for several evaluations in a row while train loss keeps falling."""
    evals = _finite(series.get("eval_loss", []))
    if len(evals) < OVERFIT_EVALS + 1:
        return None
    tail = evals[-(OVERFIT_EVALS + 1) :]
    rising = all(later[1] > earlier[1] * 1.005 for earlier, later in itertools.pairwise(tail))
    train = [p for p in _finite(series.get("loss", [])) if p[0] >= tail[0][0]]
    if rising and _slope(train) < 0:
        best = min(evals, key=lambda p: p[1])
        return Alert(
            code="overfitting",
            severity=Severity.WARNING,
            step=tail[-1][0],
            stop_recommended=True,
            title_en=f"Overfitting: eval loss rose for {OVERFIT_EVALS} evaluations while train loss fell "
            f"(best eval loss {best[1]:.3f} at step {best[0]})",
            title_zh=f"过拟合：验证损失连续 {OVERFIT_EVALS} 次上升而训练损失仍在下降"
            f"（最佳验证损失 {best[1]:.3f}，第 {best[0]} 步）",
            advice_en=f"Stop early and keep the checkpoint near step {best[0]}; next time lower the learning rate, "
            "train fewer epochs, add more (or more varied) data, or raise weight decay / LoRA dropout.",
            advice_zh=f"建议提前停止，并保留第 {best[0]} 步附近的检查点；下次可降低学习率、减少训练轮数、"
            "增加（或丰富）数据，或提高权重衰减 / LoRA dropout。",
        )
    return None


def loss_spikes(series: dict[str, Points]) -> Alert | None:
    """Sudden jumps of the loss far above its recent level (robust to noise: median ± MADs)."""
    loss = _finite(series.get("loss", []))
    spikes = []
    for index in range(SPIKE_WINDOW, len(loss)):
        window = [v for _, v in loss[index - SPIKE_WINDOW : index]]
        median = statistics.median(window)
        mad = statistics.median(abs(v - median) for v in window) or 1e-8
        if loss[index][1] > median + SPIKE_MADS * mad and loss[index][1] > median * 1.5:
            spikes.append(loss[index][0])
    if not spikes:
        return None
    return Alert(
        code="loss_spikes",
        severity=Severity.INFO if len(spikes) < 3 else Severity.WARNING,
        step=spikes[-1],
        title_en=f"{len(spikes)} loss spike(s), the last at step {spikes[-1]}",
        title_zh=f"出现 {len(spikes)} 次损失尖峰，最近一次在第 {spikes[-1]} 步",
        advice_en="Occasional spikes come from unusual batches; if they repeat, lower the learning rate, enable "
        "gradient clipping, and check the data for very long or broken rows (run a quality report).",
        advice_zh="偶发的尖峰通常来自异常批次；若反复出现，请降低学习率、开启梯度裁剪，并检查数据中过长或损坏的样本"
        "（可运行质量报告）。",
    )


def plateau(series: dict[str, Points]) -> Alert | None:
    """Smoothed loss that stopped improving over the last stretch of a long enough run."""
    loss = _finite(series.get("loss", []))
    if not loss or loss[-1][0] < PLATEAU_MIN_STEPS:
        return None
    window = max(10, int(len(loss) * PLATEAU_WINDOW_SHARE))
    smoothed = _smooth([v for _, v in loss])
    start, end = smoothed[-window], smoothed[-1]
    if start <= 0 or (start - end) / start >= PLATEAU_MIN_GAIN:
        return None
    lr = _finite(series.get("learning_rate", []))
    lr_note = f" (learning rate now {lr[-1][1]:.2g})" if lr else ""
    return Alert(
        code="plateau",
        severity=Severity.INFO,
        step=loss[-1][0],
        title_en=f"Loss has plateaued over the last {window} logged steps{lr_note}",
        title_zh=f"最近 {window} 个记录步损失不再下降",
        advice_en="If the loss is still high, raise the learning rate (it may be too low), or the LoRA rank; if "
        "it is already low, the model has learnt what this data teaches — stop or add data.",
        advice_zh="若损失仍然较高，可提高学习率（可能过低）或 LoRA 秩；若已经较低，说明模型已学到这些数据的内容，"
        "可以停止或增加数据。",
    )


def underfitting(series: dict[str, Points]) -> Alert | None:
    """After many steps the loss has barely moved from where it started."""
    loss = _finite(series.get("loss", []))
    if len(loss) < 20 or loss[-1][0] < UNDERFIT_MIN_STEPS:
        return None
    first = statistics.fmean(v for _, v in loss[:10])
    last = statistics.fmean(v for _, v in loss[-10:])
    if first > 0 and last > UNDERFIT_REMAINING * first:
        return Alert(
            code="underfitting",
            severity=Severity.WARNING,
            step=loss[-1][0],
            title_en=f"Underfitting: loss fell only {100 * (1 - last / first):.0f}% in {loss[-1][0]} steps",
            title_zh=f"欠拟合：{loss[-1][0]} 步后损失只下降了 {100 * (1 - last / first):.0f}%",
            advice_en="Raise the learning rate, train more epochs, or give the adapter more capacity (higher LoRA "
            "rank); check that the data format matches the recipe.",
            advice_zh="请提高学习率、增加训练轮数或提高 LoRA 秩；并确认数据格式与训练方式相符。",
        )
    return None


def idle_gpu(series: dict[str, Points]) -> Alert | None:
    """A GPU whose utilisation stays low while it trains: the run waits for data (loader or CPU pre-processing)."""
    for name, points in sorted(series.items()):
        match = GPU_UTILIZATION.match(name)
        # The first sample falls while the model and the first batch are still loading: not judged.
        window = [value for _, value in _finite(points)[1:]][-IDLE_GPU_SAMPLES:]
        if match is None or len(window) < IDLE_GPU_SAMPLES:
            continue
        median = statistics.median(window)
        if median < IDLE_GPU_PERCENT:
            gpu = match.group(1)
            return Alert(
                code="idle_gpu",
                severity=Severity.WARNING,
                step=points[-1][0],
                title_en=f"GPU {gpu} is mostly idle: median utilisation {median:.0f}% over the last {len(window)} "
                "samples — training is bound by its input, not by the GPU",
                title_zh=f"GPU {gpu} 大部分时间空闲：最近 {len(window)} 次采样利用率中位数 {median:.0f}%，"
                "训练受数据输入限制而非 GPU 算力",
                advice_en="Feed the GPU faster: raise dataloader_num_workers, turn on packing, raise the per-device "
                "batch size (the advisor's memory estimate says how far), and keep the data on a local disk; if the "
                "CPU is saturated by tokenisation, prepare the dataset version once beforehand.",
                advice_zh="请让数据供给跟上 GPU：提高 dataloader_num_workers、开启序列打包、"
                "在显存允许范围内增大单卡批大小（参考建议器的显存估算），"
                "并把数据放在本地磁盘；若 CPU 忙于分词，请预先处理好数据集版本。",
            )
    return None


RULES = (divergence, rising_loss, overfitting, loss_spikes, plateau, underfitting, idle_gpu)


def diagnose(series: dict[str, Points]) -> list[Alert]:
    """Every alert the curves raise, most severe first."""
    alerts = [alert for rule in RULES if (alert := rule(series)) is not None]
    order = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(alerts, key=lambda alert: order[alert.severity])
