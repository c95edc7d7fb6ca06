"""The rules of a deploy gate and how each one is judged against the scores of one evaluation run.

A rule is a JSON object of one of three shapes:

* ``{"metric": "f1", "min": 0.8}`` (and/or ``"max"``): a value of the run's summary for the
  version — a task metric, ``suite_overall``, or ``human_overall`` once human scores are merged;
* ``{"dimension": "reasoning", "min": 60}``: a general-suite dimension score (0..100);
* ``{"max_dimension_drop": 5}``: no dimension more than 5 points below the run's baseline (the
  base model), optionally only for ``"dimensions": [...]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter, model_validator

from llmore.errors import AppError

# Scores are floats computed from counts; a value equal to its threshold up to rounding passes.
TOLERANCE = 1e-9

Scores = Mapping[str, Mapping[str, float]]
"""label → name → value, as a run's ``summary`` and ``dimensions`` store them."""


class MetricRule(BaseModel):
    """A value of the run's summary (task metric, ``suite_overall``, ``human_overall``) within bounds."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(min_length=1, max_length=64, description="A name in the run's summary, e.g. f1.")
    min: float | None = Field(default=None, description="The lowest value that passes.")
    max: float | None = Field(default=None, description="The highest value that passes (for error rates like ter).")

    @model_validator(mode="after")
    def _bounded(self) -> MetricRule:
        if self.min is None and self.max is None:
            raise ValueError("a metric rule needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}; no value could pass")
        return self


class DimensionRule(BaseModel):
    """A general-suite dimension score (0..100) of at least ``min``."""

    model_config = ConfigDict(extra="forbid")

    dimension: str = Field(min_length=1, max_length=32, description="reasoning, reading, chinese, instruction or "
                           "creativity.")
    min: float = Field(ge=0, le=100)


class DimensionDropRule(BaseModel):
    """No dimension more than ``max_dimension_drop`` points below the run's baseline (catastrophic forgetting)."""

    model_config = ConfigDict(extra="forbid")

    max_dimension_drop: float = Field(ge=0, le=100)
    dimensions: list[str] | None = Field(default=None, min_length=1,
                                         description="Only these dimensions; default: every one the baseline has.")


# The field a rule names decides its shape, so a mistake is reported against that shape alone.
_TAGS = {"metric": MetricRule, "dimension": DimensionRule, "max_dimension_drop": DimensionDropRule}


def _shape(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return next(tag for tag, shape in _TAGS.items() if isinstance(value, shape))
    return next((tag for tag in _TAGS if tag in value), None) if isinstance(value, dict) else None


Rule = Annotated[
    Annotated[MetricRule, Tag("metric")] | Annotated[DimensionRule, Tag("dimension")]
    | Annotated[DimensionDropRule, Tag("max_dimension_drop")],
    Discriminator(_shape, custom_error_type="rule_shape",
                  custom_error_message="a rule names one of metric, dimension or max_dimension_drop"),
]
RULES = TypeAdapter(list[Rule])


class RuleResult(BaseModel):
    """One rule judged on one value: the value, the threshold it had to meet, whether it did, and why."""

    rule: int = Field(description="Index of the rule in the gate's rules.")
    kind: Literal["metric_min", "metric_max", "dimension_min", "dimension_drop"]
    subject: str = Field(description="The metric or dimension judged.")
    value: float
    op: Literal[">=", "<="]
    threshold: float
    baseline: float | None = Field(default=None, description="The baseline's score (dimension_drop only).")
    passed: bool
    message: str


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def describe(rule: Rule) -> str:
    """The rule in words, e.g. ``f1 ≥ 0.8``."""
    if isinstance(rule, MetricRule):
        bounds = [f"≥ {_fmt(rule.min)}"] if rule.min is not None else []
        bounds += [f"≤ {_fmt(rule.max)}"] if rule.max is not None else []
        return f"{rule.metric} {' and '.join(bounds)}"
    if isinstance(rule, DimensionRule):
        return f"{rule.dimension} ≥ {_fmt(rule.min)}"
    which = ", ".join(rule.dimensions) if rule.dimensions else "no dimension"
    return f"{which} more than {_fmt(rule.max_dimension_drop)} points below the baseline"


def _missing(rules: Sequence[Rule], *, label: str, summary: Scores, dimensions: Scores, baseline: str | None,
             run: str) -> list[dict[str, str]]:
    """One detail per rule naming a score the run lacks, with the names it has."""
    metrics, dims = summary.get(label, {}), dimensions.get(label, {})
    problems = []
    for index, rule in enumerate(rules):
        if isinstance(rule, MetricRule) and rule.metric not in metrics:
            hint = " (human scores are merged when the run's human evaluation finishes)" \
                if rule.metric.startswith("human_") else ""
            problems.append({"field": f"rules[{index}].metric",
                             "message": f"{run} has no '{rule.metric}' for {label}{hint}; it has: "
                                        f"{', '.join(sorted(metrics)) or 'no metrics'}"})
        elif isinstance(rule, DimensionRule) and rule.dimension not in dims:
            problems.append({"field": f"rules[{index}].dimension",
                             "message": f"{run} has no '{rule.dimension}' dimension for {label}; it has: "
                                        f"{', '.join(sorted(dims)) or 'no dimensions (no general suite)'}"})
        elif isinstance(rule, DimensionDropRule):
            if not baseline or baseline == label or baseline not in dimensions:
                why = (f"{label} is the run's baseline itself" if baseline == label else
                       f"the baseline {baseline} has no dimension scores" if baseline else "the run has no baseline")
                problems.append({"field": f"rules[{index}].max_dimension_drop",
                                 "message": f"{why}; evaluate {label} beside its base model with the general suite"})
                continue
            wanted = rule.dimensions or sorted(dimensions[baseline])
            absent = [d for d in wanted if d not in dims or d not in dimensions[baseline]]
            if absent or not wanted:
                problems.append({"field": f"rules[{index}].dimensions",
                                 "message": f"{run} lacks dimension(s) {', '.join(absent) or 'all'} for {label} or its "
                                            f"baseline {baseline}; {label} has: {', '.join(sorted(dims)) or 'none'}"})
    return problems


def _bound(index: int, kind: Literal["metric_min", "metric_max", "dimension_min"], subject: str, value: float,
           threshold: float) -> RuleResult:
    above = kind != "metric_max"
    passed = value >= threshold - TOLERANCE if above else value <= threshold + TOLERANCE
    if passed:
        message = f"{subject} {_fmt(value)} {'≥' if above else '≤'} {_fmt(threshold)}"
    else:
        limit = "below the minimum" if above else "above the maximum"
        message = f"{subject} {_fmt(value)} is {limit} {_fmt(threshold)}"
    return RuleResult(rule=index, kind=kind, subject=subject, value=value, op=">=" if above else "<=",
                      threshold=threshold, passed=passed, message=message)


def _drop(index: int, rule: DimensionDropRule, dimension: str, value: float, base: float, baseline: str
          ) -> RuleResult:
    threshold = base - rule.max_dimension_drop
    passed = value >= threshold - TOLERANCE
    change = value - base
    message = (f"{dimension} {_fmt(value)} vs {_fmt(base)} for the baseline {baseline} ({change:+.4g} points; "
               f"at most {_fmt(rule.max_dimension_drop)} below allowed)")
    return RuleResult(rule=index, kind="dimension_drop", subject=dimension, value=value, op=">=", threshold=threshold,
                      baseline=base, passed=passed, message=message)


def evaluate(rules: Sequence[Rule], *, label: str, summary: Scores, dimensions: Scores, baseline: str | None,
             run: str) -> list[RuleResult]:
    """Judge every rule on ``label``'s scores; a rule with two bounds or several dimensions gives several results.

    ``run`` names the run in messages ("eval run 4 'nightly'"). Raises :class:`AppError`
    (``missing_scores``) listing every rule that names a score the run does not have.
    """
    problems = _missing(rules, label=label, summary=summary, dimensions=dimensions, baseline=baseline, run=run)
    if problems:
        raise AppError(f"The gate's rules need scores that {run} does not have for {label}; change the rules or "
                       "evaluate again with what they need.", code="missing_scores", details=problems)
    metrics, dims = summary.get(label, {}), dimensions.get(label, {})
    results: list[RuleResult] = []
    for index, rule in enumerate(rules):
        if isinstance(rule, MetricRule):
            if rule.min is not None:
                results.append(_bound(index, "metric_min", rule.metric, metrics[rule.metric], rule.min))
            if rule.max is not None:
                results.append(_bound(index, "metric_max", rule.metric, metrics[rule.metric], rule.max))
        elif isinstance(rule, DimensionRule):
            results.append(_bound(index, "dimension_min", rule.dimension, dims[rule.dimension], rule.min))
        else:
            assert baseline is not None  # _missing refused drop rules without a baseline
            for dimension in rule.dimensions or sorted(dimensions[baseline]):
                results.append(_drop(index, rule, dimension, dims[dimension], dimensions[baseline][dimension],
                                     baseline))
    return results
