"""FastAPI application factory: routers, error handlers, middleware, console files, dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from llmore import __version__
from llmore.auth.api import router as auth_router
from llmore.auth.ratelimit import LoginThrottle
from llmore.body_limit import BodySizeLimit
from llmore.console import CONSOLE_DIR, mount_console
from llmore.datasets.api import router as datasets_router
from llmore.db.engine import make_engine, make_session_factory
from llmore.errors import install_error_handlers
from llmore.evaluation.api import router as evaluation_router
from llmore.evaluation.arena.api import router as arena_router
from llmore.evaluation.gates.api import router as gates_router
from llmore.evaluation.human.api import router as human_evaluation_router
from llmore.files.api import FILES_UPLOAD_PATH
from llmore.files.api import router as files_router
from llmore.gateway.api import router as gateway_router
from llmore.jobs.api import router as jobs_router
from llmore.models.api import router as models_router
from llmore.monitoring.http_metrics import HttpMetrics, MetricsMiddleware
from llmore.serving.api import router as workers_router
from llmore.settings import Settings
from llmore.system.api import router as system_router
from llmore.training.api import router as training_router
from llmore.training.openai_api import router as fine_tuning_router


def create_app(settings: Settings, *, run_dispatcher: bool | None = None, console_dir: Path = CONSOLE_DIR) -> FastAPI:
    """The LLMore web application for ``settings``.

    ``run_dispatcher`` (default: ``settings.run_dispatcher``) starts the job dispatcher in a
    background thread for the app's lifetime, which is what ``llmore up`` wants; tests and
    API-only replicas leave it off. ``console_dir`` holds the built web console.
    """
    engine = make_engine(settings.effective_database_url)
    start_dispatcher = settings.run_dispatcher if run_dispatcher is None else run_dispatcher

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = None
        if start_dispatcher:
            from llmore.jobs.dispatcher import DispatcherThread

            service = DispatcherThread(settings, app.state.session_factory)
            service.start()
        try:
            yield
        finally:
            if service is not None:
                service.stop()
            engine.dispose()

    app = FastAPI(
        title="LLMore",
        version=__version__,
        description="Self-hosted LLM platform: data → train → monitor → evaluate → deploy → interact. "
        "Send `Authorization: Bearer <session token or API key>`; sign in at `POST /api/auth/login`.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.login_throttle = LoginThrottle(
        settings.rate_limit_storage, settings.login_attempts_per_window, settings.login_window_seconds
    )
    app.state.http_metrics = HttpMetrics()
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes, upload_max_bytes=settings.max_upload_bytes,
                       upload_posts=frozenset({FILES_UPLOAD_PATH}))
    app.add_middleware(MetricsMiddleware, metrics=app.state.http_metrics)
    install_error_handlers(app)
    for router in (system_router, auth_router, jobs_router, datasets_router, training_router, models_router,
                   workers_router, gateway_router, files_router, fine_tuning_router, evaluation_router,
                   human_evaluation_router, arena_router, gates_router):
        app.include_router(router)
    mount_console(app, console_dir)
    return app
