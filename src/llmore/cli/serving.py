"""``llmore worker`` (serve a model over the OpenAI API) and ``llmore chat`` (talk to one in the terminal)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import typer

from llmore.cli.common import console, database, err_console, fail, settings_from
from llmore.errors import AppError

API_KEY_ENV = "LLMORE_API_KEY"
WORKER_KEY_ENV = "LLMORE_WORKER_KEY"


def _resolve(ctx: typer.Context, reference: str) -> tuple[str, str | None]:
    """``(path, base_path)`` of a folder or registry reference (``name``, ``name:N``, ``name@alias``).

    ``base_path`` is set when the reference is an adapter version: the worker then loads the base
    model and serves the adapter.
    """
    if Path(reference).expanduser().is_dir():
        return str(Path(reference).expanduser().resolve()), None
    from llmore.models.service import get_version_by_id, resolve_reference

    with database(settings_from(ctx)) as session:
        version = resolve_reference(session, reference, field="--model")
        base = get_version_by_id(session, version.base_version_id) if version.base_version_id else None
        if version.kind == "adapter" and base is not None:
            return version.path, base.path
        return version.path, None


def _adapter_option(ctx: typer.Context, value: str) -> tuple[str, str]:
    name, sep, where = value.partition("=")
    if not sep or not name or not where:
        fail(f"--adapter takes NAME=PATH (or NAME=registry reference), got {value!r}.")
    return name, _resolve(ctx, where)[0]


def worker(
    ctx: typer.Context,
    model: str = typer.Option(
        ..., "--model", "-m", help="Model folder or registry reference: name, name:N, name@alias."
    ),
    engine: str = typer.Option("transformers", help="transformers (chat and completions), embeddings, or vllm "
                               "(after `llmore engines install vllm`)."),
    adapters: list[str] = typer.Option([], "--adapter", "--adapters", help="LoRA adapter as NAME=PATH; repeatable."),
    served_name: str | None = typer.Option(None, help="Name clients use (default: the reference or folder name)."),
    host: str = typer.Option("127.0.0.1", help="Bind address."),
    port: int = typer.Option(8001, help="Port."),
    control_plane: str | None = typer.Option(None, help="URL of `llmore up` to register with."),
    api_key: str | None = typer.Option(None, envvar=API_KEY_ENV, help="API key holding workers:manage."),
    advertise_url: str | None = typer.Option(None, help="URL the control plane reaches this worker at."),
    worker_key: str | None = typer.Option(None, envvar=WORKER_KEY_ENV, help="Key direct callers of this worker "
                                          "send as Bearer (default: a random one, printed once)."),
    no_auth: bool = typer.Option(False, "--no-auth", help="Serve /v1 without any key: only on a network where "
                                 "every caller is trusted."),
    heartbeat_seconds: float = typer.Option(5.0, min=0.1, help="Heartbeat interval; 3 missed ones drop the worker."),
    max_batch_size: int = typer.Option(16, min=1, help="Sequences decoded together at most (transformers)."),
    default_max_tokens: int = typer.Option(512, min=1, help="max_tokens when a request gives none (transformers)."),
    device: str | None = typer.Option(None, help="cpu, cuda, cuda:1 … (default: cuda when available)."),
    dtype: str | None = typer.Option(None, help="float32, bfloat16, float16 (default: bf16 on GPU, fp32 on CPU)."),
    engine_args: list[str] = typer.Option([], "--engine-arg", help="Extra argument for vLLM's server, e.g. "
                                          "--engine-arg=--max-model-len=4096; repeatable (vllm)."),
) -> None:
    """Serve a model (and LoRA adapters) over the OpenAI API; optionally register with the control plane."""
    import uvicorn

    from llmore.serving.engines import create_engine
    from llmore.serving.worker import ControlPlane, create_worker_app
    from llmore.serving.worker_auth import WorkerAuth, new_worker_key

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a worker never downloads weights behind the operator's back
    if control_plane and not api_key:
        fail(f"--control-plane needs --api-key (or {API_KEY_ENV}): an API key of a user holding workers:manage.")
    path, base_path = _resolve(ctx, model)
    name = served_name or (Path(model).name if Path(model).expanduser().is_dir() else model)
    named_adapters = [_adapter_option(ctx, value) for value in adapters]
    if base_path is not None:  # the reference is an adapter: serve its base, and the adapter under `name`
        named_adapters.insert(0, (name, path))
        path, name = base_path, f"{name}-base"
    options: dict[str, object] = {"device": device}
    if engine == "transformers":
        options.update(max_batch_size=max_batch_size, default_max_tokens=default_max_tokens, dtype=dtype)
    if engine == "vllm":  # vLLM takes its adapters on its command line: LoRA is enabled at start only
        settings = settings_from(ctx)
        options.update(venv=settings.effective_engines_dir / "vllm", log_dir=settings.home / "logs", dtype=dtype,
                       adapters=named_adapters, default_max_tokens=default_max_tokens, extra_args=engine_args)
        named_adapters = []
    with console.status(f"Loading {path} with the {engine} engine…"):
        try:
            loaded = create_engine(engine, path, served_name=name, **options)
        except AppError as exc:
            fail(exc.message)
        for adapter_name, adapter_path in named_adapters:
            loaded.load_adapter(adapter_name, adapter_path)
    advertised = advertise_url or f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    plane = ControlPlane(url=control_plane.rstrip("/"), api_key=api_key or "", advertise_url=advertised,
                         name=f"{name}@{advertised}", heartbeat_seconds=heartbeat_seconds) if control_plane else None
    console.print(f"Serving {', '.join(m.id for m in loaded.models())} at {advertised}/v1"
                  + (f", registered with {control_plane}" if plane else ""))
    if no_auth:
        err_console.print("[bold yellow]--no-auth:[/] anyone who reaches this port can use the model.")
    elif worker_key is None:
        worker_key = new_worker_key()
        console.print(f"Worker key (send as Authorization: Bearer; shown once): {worker_key}", markup=False,
                      highlight=False, soft_wrap=True)
    auth = WorkerAuth(worker_key, required=not no_auth)
    uvicorn.run(create_worker_app(loaded, auth=auth, control_plane=plane), host=host, port=port, log_level="warning")


def chat(
    model: str = typer.Argument(..., help="Model name as /v1/models lists it."),
    url: str = typer.Option("http://127.0.0.1:8000", help="The platform (or a worker) serving /v1."),
    api_key: str | None = typer.Option(None, envvar=API_KEY_ENV, help="API key (env LLMORE_API_KEY)."),
    system: str | None = typer.Option(None, help="System prompt."),
    temperature: float | None = typer.Option(None, min=0, max=2),
    max_tokens: int | None = typer.Option(None, min=1),
) -> None:
    """Chat with a model in the terminal, streaming its replies. /reset starts over, /exit (or Ctrl-D) quits."""
    messages: list[dict[str, str]] = [{"role": "system", "content": system}] if system else []
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    options = {k: v for k, v in {"temperature": temperature, "max_tokens": max_tokens}.items() if v is not None}
    console.print(f"[dim]Chatting with {model} at {url}. /reset starts over, /exit quits.[/]")
    with httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=httpx.Timeout(10, read=600)) as client:
        while True:
            try:
                text = console.input("[bold green]you>[/] ")
            except (EOFError, KeyboardInterrupt):
                console.print()
                return
            if text.strip() in ("/exit", "/quit"):
                return
            if text.strip() == "/reset":
                messages = messages[:1] if system else []
                continue
            if not text.strip():
                continue
            messages.append({"role": "user", "content": text})
            reply = _stream_reply(client, {"model": model, "messages": messages, "stream": True, **options})
            if reply is None:
                messages.pop()
            else:
                messages.append({"role": "assistant", "content": reply})


def _stream_reply(client: httpx.Client, body: dict[str, object]) -> str | None:
    """Print the streamed reply as it arrives; ``None`` (and the error) when the server refused."""
    parts: list[str] = []
    console.print("[bold cyan]model>[/] ", end="")
    try:
        with client.stream("POST", "/v1/chat/completions", json=body) as response:
            if response.status_code != 200:
                response.read()
                console.print()
                err_console.print(f"[bold red]error {response.status_code}:[/] {_error_message(response)}")
                return None
            for line in response.iter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                chunk = json.loads(line[6:])
                if "error" in chunk:
                    err_console.print(f"\n[bold red]error:[/] {chunk['error'].get('message')}")
                    return None
                for choice in chunk.get("choices", []):
                    delta = choice.get("delta", {}).get("content") or ""
                    parts.append(delta)
                    console.print(delta, end="", markup=False, highlight=False)
    except httpx.HTTPError as exc:
        console.print()
        err_console.print(f"[bold red]error:[/] cannot reach the server: {exc}")
        return None
    console.print()
    return "".join(parts)


def _error_message(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:500]
