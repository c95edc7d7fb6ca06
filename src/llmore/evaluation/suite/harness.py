"""lm-evaluation-harness tasks on a local model folder, when the ``lm_eval`` package is installed.

The harness is an optional extra (``pip install lm_eval``; it is in LLMore's ``dev`` extra): the
general suite works without it. The model is always loaded from a local folder, never a hub id.
Tasks come from task YAML files in ``include_path`` (a dataset of local JSON/CSV files works
offline); without ``include_path`` the harness's own ~14,000 built-in task configs are indexed
instead, which takes a minute, and their data sets must be in the local Hugging Face cache when
there is no network.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from llmore.errors import AppError

PACKAGE = "lm_eval"


def lm_eval_available() -> bool:
    """Whether lm-evaluation-harness (the ``lm_eval`` package) can be imported."""
    return importlib.util.find_spec(PACKAGE) is not None


def _metric_name(key: str) -> str:
    """``acc,none`` → ``acc``; a metric after a named filter keeps it: ``exact_match,strict-match`` → ``exact_match
    [strict-match]``."""
    metric, _, filter_name = key.partition(",")
    return metric if filter_name in ("", "none") else f"{metric}[{filter_name}]"


def _check_inputs(model_dir: Path, tasks: Sequence[str], include_path: Path | None) -> None:
    if not lm_eval_available():
        raise AppError("lm-evaluation-harness is not installed on this server: install the package "
                       f"`{PACKAGE}` (`pip install {PACKAGE}`) to run its tasks.", code="lm_eval_missing",
                       details=[{"field": "tasks", "message": f"the {PACKAGE} package is not installed"}])
    if not (model_dir / "config.json").is_file():
        raise AppError(f"{model_dir} is not a model folder (it has no config.json). Give the folder of a "
                       "transformers model, such as a registered model version's files.",
                       details=[{"field": "model_dir", "message": "no config.json"}])
    if include_path is not None and not include_path.is_dir():
        raise AppError(f"The task folder {include_path} does not exist; give the folder holding the task YAML files.",
                       details=[{"field": "include_path", "message": "not a folder"}])
    if not tasks:
        raise AppError("Name at least one lm-evaluation-harness task.",
                       details=[{"field": "tasks", "message": "empty"}])


def run_lm_eval(model_dir: Path, tasks: Sequence[str], *, include_path: Path | None = None,
                limit: int | None = None, num_fewshot: int | None = None, batch_size: int = 8,
                device: str = "cpu") -> dict[str, dict[str, float]]:
    """Run harness ``tasks`` on the transformers model in ``model_dir``: ``{task: {metric: value}}``.

    ``limit`` caps the examples per task; ``include_path`` is a folder of task YAML files (then only
    those tasks are known). Metric names drop the harness's ``,none`` filter suffix (``acc``,
    ``acc_stderr``); values that are not numbers (an ``N/A`` stderr) are left out.
    """
    model_dir, include_path = Path(model_dir), Path(include_path) if include_path is not None else None
    _check_inputs(model_dir, tasks, include_path)
    import lm_eval
    from lm_eval.tasks import TaskManager

    manager = TaskManager(include_path=str(include_path) if include_path else None,
                          include_defaults=include_path is None)
    unknown = [(index, name) for index, name in enumerate(tasks) if name not in manager.all_tasks]
    if unknown:
        where = f"in {include_path}" if include_path else "among the harness's built-in tasks"
        raise AppError(f"Unknown lm-evaluation-harness task {unknown[0][1]!r}: there is no such task {where}. "
                       "Check the task: name in its YAML file.",
                       details=[{"field": f"tasks[{index}]", "message": f"unknown task {name}"}
                                for index, name in unknown])
    output: Any = lm_eval.simple_evaluate(
        model="hf", model_args={"pretrained": str(model_dir), "device": device}, tasks=list(tasks),
        task_manager=manager, limit=limit, num_fewshot=num_fewshot, batch_size=batch_size, log_samples=False,
        bootstrap_iters=1000)
    return {task: {_metric_name(key): float(value) for key, value in metrics.items()
                   if "," in key and isinstance(value, int | float)}
            for task, metrics in output["results"].items()}
