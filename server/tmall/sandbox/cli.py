"""`run_sandbox`: serve a sandbox on a real port, buyers in real time, state saved and resumed.

Prints the stores' credentials before serving (one JSON line with `as_json`), advances the buyers a
few times a second, saves every few seconds and once more on shutdown (SIGINT / SIGTERM).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import FrameType
from typing import Any

from server.tmall.sandbox.app import make_sandbox_app
from server.tmall.sandbox.state import SandboxState, wall_clock_ms

TICK_SECONDS = 0.2
SAVE_EVERY_SECONDS = 2.0


def open_state(
    state_path: Path, stores: int, seed: int, buyers_per_minute: float, catalog: list[str] | None,
    exchange_share: float | None = None,
) -> tuple[SandboxState, bool]:
    """The saved state if `state_path` exists (resume), else a new one. Returns (state, resumed).
    `exchange_share` (when given) replaces the saved one."""
    if state_path.exists():
        state = SandboxState.load(state_path, clock_ms=wall_clock_ms)
        if len(state.stores) != stores or state.seed != seed:
            print(
                f"sandbox: resuming {state_path} (seed {state.seed}, {len(state.stores)} stores); "
                "the seed and store count given are ignored",
                file=sys.stderr,
            )
        state.set_buyers_per_minute(buyers_per_minute)
        if exchange_share is not None:
            state.set_exchange_share(exchange_share)
        return state, True
    state = SandboxState.new(
        stores=stores, seed=seed, catalog=catalog, buyers_per_minute=buyers_per_minute, clock_ms=wall_clock_ms
    )
    if exchange_share is not None:
        state.set_exchange_share(exchange_share)
    state.save(state_path)
    return state, False


def credentials_document(state: SandboxState, host: str, port: int) -> dict[str, Any]:
    return {
        "stores": [
            {"nick": s.nick, "app_key": s.app_key, "app_secret": s.app_secret, "session": s.session, "user_id": s.user_id}
            for s in state.stores
        ],
        "gateway": f"http://{host}:{port}/router/rest",
    }


def keeper(state: SandboxState, state_path: Path) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
    """A lifespan that advances the buyers in real time, saves periodically, and saves on shutdown."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        async def tick() -> None:
            loop = asyncio.get_running_loop()
            last_save = loop.time()
            while True:
                await asyncio.sleep(TICK_SECONDS)
                await asyncio.to_thread(lambda: state.advance(state.now()))
                if loop.time() - last_save >= SAVE_EVERY_SECONDS:
                    await asyncio.to_thread(state.save, state_path)
                    last_save = loop.time()

        ticker = asyncio.create_task(tick())
        try:
            yield
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            state.save(state_path)

    return lifespan


def run_sandbox(
    port: int,
    state_path: Path,
    stores: int,
    seed: int,
    buyers_per_minute: float,
    as_json: bool,
    host: str = "127.0.0.1",
    catalog: list[str] | None = None,
    exchange_share: float | None = None,
) -> None:
    """Serve the sandbox on host:port until SIGINT / SIGTERM (state saved before returning)."""
    import uvicorn

    state_path = Path(state_path)
    state, resumed = open_state(state_path, stores, seed, buyers_per_minute, catalog, exchange_share)
    document = credentials_document(state, host, port)
    if as_json:
        print(json.dumps(document, ensure_ascii=False), flush=True)
    else:
        print(f"TOP sandbox {'resumed from' if resumed else 'state in'} {state_path}")
        print(f"gateway: {document['gateway']}")
        for store in document["stores"]:
            print(
                f"  {store['nick']}: app_key={store['app_key']} app_secret={store['app_secret']} "
                f"session={store['session']} user_id={store['user_id']}"
            )
        sys.stdout.flush()
    app = make_sandbox_app(state)
    app.router.lifespan_context = keeper(state, state_path)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))
    # uvicorn shuts down gracefully (lifespan: final save), then re-raises the signal it caught;
    # SIGTERM then lands here as KeyboardInterrupt, so both signals end in a normal return (exit 0).
    previous = signal.signal(signal.SIGTERM, _interrupt) if _in_main_thread() else None
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
