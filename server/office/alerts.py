"""Stock alerts: min/max limits, episodes raised once and cleared, acknowledgement, and a webhook.

`evaluate_alerts(db, now_ms)` is cheap (a few grouped queries over the SKU/warehouse pairs, and the
held orders) and can run after each push batch. It

- raises `low_stock` (available ≤ min) and `stock_out` (available ≤ 0) once per episode of a pair;
  the episode ends, and its alerts are cleared, when available is back above min. A pair without a
  limit is watched as min 0 (no `low_stock`, `stock_out` at 0) once the warehouse carries the SKU —
  has held it in one of its locations, or reserves or escrows it — so a SKU that sells out alerts
  even where nobody set a limit; a SKU a warehouse never held raises nothing there;
- raises `order_held` once for an order held for lack of stock, cleared when it is no longer held;
- surfaces every alert no evaluation has surfaced yet, the sync server's `unescrowed_decrement`
  included, and queues each for the webhook (per-alert state, not a cursor: an alert committed late
  by another process is surfaced by the next evaluation, never skipped — `server/store/alerts.py`).

Evaluations in several processes take turns (a lock held by the evaluating transaction), so two never
open the same episode twice; the timer loop runs in the process leading the `alerts` job
(`server/serve.py`).

`available = on_hand − reserved − escrow`, what allocation may still reserve. Webhook deliveries run
outside any request (`WebhookDispatcher.kick()`), with a timeout, a few quick retries, and back-off
between runs; each alert is claimed before it is posted, so no two processes post it; a failure is
recorded on the delivery and retried later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from server.errors import ConfigError
from server.office.accounts import NotFound, OfficeError
from server.store import alerts as store
from server.store.database import Database, Tx
from server.vault import Vault

LOW_STOCK = "low_stock"
STOCK_OUT = "stock_out"
ORDER_HELD = "order_held"
MAX_LIMITS_PER_CALL = 10_000


@dataclass(frozen=True)
class Alert:
    alert_id: int
    kind: str
    warehouse_id: str | None
    data: dict[str, Any]
    at_ms: int
    episode: str | None = None
    cleared_at_ms: int | None = None
    acked_at_ms: int | None = None
    acked_by: str | None = None

    @property
    def open(self) -> bool:
        return self.acked_at_ms is None and self.cleared_at_ms is None

    def as_dict(self) -> dict[str, Any]:
        return {"alert_id": self.alert_id, "kind": self.kind, "warehouse_id": self.warehouse_id,
                "data": self.data, "at_ms": self.at_ms, "episode": self.episode,
                "cleared_at_ms": self.cleared_at_ms, "acked_at_ms": self.acked_at_ms,
                "acked_by": self.acked_by, "open": self.open}


def _alert(fields: dict[str, Any]) -> Alert:
    return Alert(**fields)


# --- the episode rule (pure) ---------------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeStep:
    """What one evaluation does to a pair's episode: alert kinds to raise, and whether it ends."""

    raise_kinds: tuple[str, ...] = ()
    clear: bool = False


def stock_episode_step(available: int, min_qty: int, open_kinds: frozenset[str]) -> EpisodeStep:
    """Above min ends the episode; at or below 0 raises `stock_out` once (even after `low_stock`);
    at or below min raises `low_stock` once, unless the episode already has an alert."""
    if available > min_qty:
        return EpisodeStep(clear=bool(open_kinds))
    if available <= 0:
        return EpisodeStep(() if STOCK_OUT in open_kinds else (STOCK_OUT,))
    return EpisodeStep(() if open_kinds else (LOW_STOCK,))


# --- stock limits --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockLimit:
    sku: str
    warehouse_id: str
    min_qty: int
    max_qty: int


def set_limits(tx: Tx, limits: list[StockLimit], now_ms: int) -> None:
    """Upsert limits, all or none: every bad row is reported with its position."""
    if len(limits) > MAX_LIMITS_PER_CALL:
        raise OfficeError("too_many", f"at most {MAX_LIMITS_PER_CALL} limits per call")
    skus = store.known_skus(tx, (limit.sku for limit in limits))
    warehouses = store.known_warehouses(tx, (limit.warehouse_id for limit in limits))
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for i, limit in enumerate(limits):
        if limit.sku not in skus:
            problems.append(f"[{i}] unknown SKU '{limit.sku}'")
        if limit.warehouse_id not in warehouses:
            problems.append(f"[{i}] unknown warehouse '{limit.warehouse_id}'")
        if limit.min_qty < 0 or limit.max_qty < limit.min_qty:
            problems.append(f"[{i}] needs 0 ≤ min ≤ max (got min {limit.min_qty}, max {limit.max_qty})")
        if (limit.sku, limit.warehouse_id) in seen:
            problems.append(f"[{i}] {limit.sku} in {limit.warehouse_id} appears twice")
        seen.add((limit.sku, limit.warehouse_id))
    if problems:
        raise OfficeError("bad_limits", "; ".join(problems[:50]))
    store.upsert_limits(tx, ((limit.sku, limit.warehouse_id, limit.min_qty, limit.max_qty) for limit in limits),
                        now_ms)


def delete_limit(tx: Tx, warehouse_id: str, sku: str) -> None:
    if not store.delete_limit(tx, warehouse_id, sku):
        raise NotFound(f"a limit for {sku} in {warehouse_id}")


def limits(tx: Tx, warehouse_id: str | None = None) -> list[dict[str, Any]]:
    return store.limits(tx, warehouse_id)


@dataclass(frozen=True)
class Availability:
    on_hand: int = 0
    reserved: int = 0
    escrow: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved - self.escrow


def availability(tx: Tx) -> dict[tuple[str, str], Availability]:
    """`(warehouse_id, sku) → Availability` of every pair the warehouse carries (a stock row at one of
    its locations, even at 0, a reservation or an escrow), from three grouped queries."""
    return {key: Availability(**values) for key, values in store.availability_parts(tx).items()}


# --- evaluation ----------------------------------------------------------------------------------


def evaluate_alerts(db: Database, now_ms: int) -> list[Alert]:
    """Raise and clear episodes, then return every alert no evaluation has returned yet (queued for
    the webhook when one is set). One transaction; evaluations in several processes take turns."""
    with db.transaction() as tx:
        store.lock_evaluation(tx)
        open_episodes = store.open_episodes(tx)
        _evaluate_stock(tx, open_episodes, now_ms)
        _evaluate_held_orders(tx, open_episodes, now_ms)
        surfaced = store.surface_new(tx, now_ms, queue=store.webhook(tx) is not None)
        return [_alert(fields) for fields in store.alerts_by_id(tx, surfaced)]


def _evaluate_stock(tx: Tx, open_episodes: dict[str, set[str]], now_ms: int) -> None:
    levels = availability(tx)
    limits: dict[tuple[str, str], tuple[int, int | None]] = {
        (warehouse_id, sku): (min_qty, max_qty) for sku, warehouse_id, min_qty, max_qty in store.all_limits(tx)}
    evaluated: set[str] = set()
    for warehouse_id, sku in sorted(set(levels) | set(limits)):
        min_qty, max_qty = limits.get((warehouse_id, sku), (0, None))  # a carried pair: out at 0
        episode = f"stock|{warehouse_id}|{sku}"
        evaluated.add(episode)
        level = levels.get((warehouse_id, sku), Availability())
        step = stock_episode_step(level.available, min_qty, frozenset(open_episodes.get(episode, ())))
        if step.clear:
            store.clear_episode(tx, episode, now_ms)
        for kind in step.raise_kinds:
            store.raise_alert(tx, kind, warehouse_id,
                              {"sku": sku, "available": level.available, "on_hand": level.on_hand,
                               "reserved": level.reserved, "escrow": level.escrow, "min": min_qty,
                               "max": max_qty}, episode, now_ms)
    for episode in open_episodes:  # a pair neither limited nor carried any more has no episode
        if episode.startswith("stock|") and episode not in evaluated:
            store.clear_episode(tx, episode, now_ms)


def _evaluate_held_orders(tx: Tx, open_episodes: dict[str, set[str]], now_ms: int) -> None:
    still: set[str] = set()
    for order_id, warehouse_id, reason in store.orders_held_for_stock(tx):
        episode = f"held|{order_id}"
        still.add(episode)
        if episode not in open_episodes:
            store.raise_alert(tx, ORDER_HELD, warehouse_id, {"order_id": order_id, "reason": reason}, episode,
                              now_ms)
    for episode in open_episodes:
        if episode.startswith("held|") and episode not in still:
            store.clear_episode(tx, episode, now_ms)


# --- reading and acknowledging ---------------------------------------------------------------------


def list_alerts(tx: Tx, *, open_only: bool = False, kind: str | None = None,
                warehouse_id: str | None = None, limit: int = 500) -> list[Alert]:
    """Newest first; `open_only` keeps alerts neither acknowledged nor cleared."""
    return [_alert(fields) for fields in store.list_alerts(tx, open_only=open_only, kind=kind,
                                                           warehouse_id=warehouse_id, limit=limit)]


def acknowledge(tx: Tx, alert_id: int, account_id: str, now_ms: int) -> Alert:
    """Mark an alert seen; acknowledging twice keeps the first acknowledgement."""
    fields = store.acknowledge(tx, alert_id, account_id, now_ms)
    if fields is None:
        raise NotFound(f"alert {alert_id}")
    return _alert(fields)


# --- the webhook ---------------------------------------------------------------------------------


def shown_url(url: str) -> str:
    """The URL fit for logs and screens: no user info, every query value masked."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    query = urlencode([(key, "***") for key, _ in parse_qsl(parts.query, keep_blank_values=True)])
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


def check_url(url: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        raise OfficeError("bad_url", "the webhook URL cannot be parsed") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OfficeError("bad_url", "the webhook URL must be http:// or https:// with a host")
    if len(url) > 2000 or any(c.isspace() for c in url) or parts.fragment:
        raise OfficeError("bad_url", "the webhook URL must be at most 2000 characters, without spaces "
                                     "or '#'")
    return url


def _vault(db: Database) -> Vault:
    try:
        return Vault.for_database(db)
    except ConfigError as problem:
        raise OfficeError("vault", str(problem), 500) from problem


def set_webhook(db: Database, tx: Tx, url: str | None, now_ms: int, by: str) -> str | None:
    """Set (encrypted) or remove the webhook URL; returns the URL as shown, or None."""
    if url is None or not url.strip():
        store.remove_webhook(tx)
        return None
    clean = check_url(url)
    shown = shown_url(clean)
    store.set_webhook(tx, _vault(db).encrypt(clean), shown, now_ms, by)
    return shown


def webhook_status(tx: Tx) -> dict[str, Any]:
    """The webhook as shown (never the secret), and how its deliveries stand."""
    hook = store.webhook(tx)
    pending, delivered = store.delivery_counts(tx)
    return {
        "url": hook["url_shown"] if hook else None,
        "updated_at_ms": hook["updated_at_ms"] if hook else None,
        "updated_by": hook["updated_by"] if hook else None,
        "pending": pending,
        "delivered": delivered,
        "last_error": store.first_failing(tx),
    }


class _MaskWebhookUrls(logging.Filter):
    """httpx logs every request's URL at INFO: a webhook's shows with its query values masked."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: dict[str, str] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if self.shown and isinstance(record.args, tuple):
            record.args = tuple(self.shown.get(str(arg), arg) if isinstance(arg, (httpx.URL, str)) else arg
                                for arg in record.args)
        return True


_MASK = _MaskWebhookUrls()
logging.getLogger("httpx").addFilter(_MASK)


@dataclass
class DeliveryReport:
    delivered: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def retry_delay_ms(attempts: int) -> int:
    """Back-off between delivery runs: 30 s, 1 min, 2 min, … at most one hour."""
    return int(min(3_600_000, 30_000 * 2 ** max(0, attempts // 3 - 1)))


def deliver_due(
    db: Database,
    clock_ms: Callable[[], int],
    *,
    client: httpx.Client | None = None,
    tries: int = 3,
    timeout_s: float = 5.0,
    pause_s: float = 0.2,
    batch: int = 100,
) -> DeliveryReport:
    """POST every due alert to the webhook, oldest first, `tries` times each before giving up for
    this run; the database is not held while waiting on the network. Each alert is claimed before
    it is posted, so runs in several processes never post one alert twice. A receiver that keeps
    failing stops the run, and every waiting alert is retried after the back-off."""
    report = DeliveryReport()
    with db.reading() as tx:
        hook = store.webhook(tx)
        if hook is None or not store.deliveries_due(tx, clock_ms()):
            return report
    url, shown = _vault(db).decrypt(hook["url_enc"]), hook["url_shown"]
    _MASK.shown[str(httpx.URL(url))] = shown
    # a claim outlasts the longest this run may spend posting the alert
    lease_ms = int(tries * (timeout_s + pause_s * tries) * 1000) + 60_000
    own = client is None
    http = client or httpx.Client(timeout=timeout_s, follow_redirects=False)
    try:
        for _ in range(batch):
            with db.transaction() as tx:
                now = clock_ms()
                claimed = store.claim_delivery(tx, now, now + lease_ms)
            if claimed is None:
                break
            fields, attempts = claimed
            alert = _alert(fields)
            problem = _post(http, url, shown, alert, tries, pause_s)
            with db.transaction() as tx:
                if problem is None:
                    store.mark_delivered(tx, alert.alert_id, attempts + 1, clock_ms())
                else:  # the receiver is down: this alert and every other waiting one wait for the retry
                    total = attempts + tries
                    store.mark_failed(tx, alert.alert_id, total, clock_ms() + retry_delay_ms(total), problem)
            if problem is None:
                report.delivered.append(alert.alert_id)
            else:
                report.failed[alert.alert_id] = problem
                break
    finally:
        if own:
            http.close()
    return report


def _post(http: httpx.Client, url: str, shown: str, alert: Alert, tries: int, pause_s: float) -> str | None:
    """None when the receiver answered 2xx, else what went wrong the last time (URL redacted)."""
    problem = "not tried"
    body = {"source": "kucun", **alert.as_dict()}
    for attempt in range(tries):
        if attempt:
            time.sleep(pause_s * attempt)
        try:
            answer = http.post(url, json=body, headers={"user-agent": "kucun-alerts/1"})
        except httpx.HTTPError as error:
            problem = f"{type(error).__name__}: {str(error).replace(url, shown)}"[:500]
            continue
        if 200 <= answer.status_code < 300:
            return None
        problem = f"HTTP {answer.status_code}"
    return problem


class WebhookDispatcher:
    """Runs `deliver_due` in a background thread, one run at a time; `kick()` never blocks."""

    def __init__(self, db: Database, clock_ms: Callable[[], int], **options: Any) -> None:
        self.db = db
        self.clock_ms = clock_ms
        self.options = options
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False
        self.last_report: DeliveryReport | None = None

    def kick(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self._again = True
                return
            self._thread = threading.Thread(target=self._run, name="kucun-alert-webhook", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                self.last_report = deliver_due(self.db, self.clock_ms, **self.options)
            except Exception as problem:  # a background thread must not die silently
                self.last_report = DeliveryReport(failed={0: f"{type(problem).__name__}: {problem}"[:500]})
            with self._lock:
                if not self._again:
                    return
                self._again = False

    def wait(self, timeout_s: float = 10.0) -> bool:
        """True when no delivery run is going on (for tests and shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout_s)
            return not thread.is_alive()
        return True


def dispatcher_for(state: Any) -> WebhookDispatcher:
    """The app's webhook dispatcher, made on first use."""
    dispatcher: WebhookDispatcher | None = getattr(state, "alert_webhook", None)
    if dispatcher is None:
        dispatcher = WebhookDispatcher(state.db, state.clock_ms)
        state.alert_webhook = dispatcher
    return dispatcher


def evaluate_and_notify(state: Any) -> list[Alert]:
    """`evaluate_alerts` and, when something is due, a delivery run in the background: what the
    server loop calls after a push batch or on a timer."""
    now = state.clock_ms()
    new = evaluate_alerts(state.db, now)
    if new or deliveries_due(state.db, now):
        dispatcher_for(state).kick()
    return new


def deliveries_due(db: Database, now_ms: int) -> bool:
    with db.reading() as tx:
        return store.deliveries_due(tx, now_ms)


def alerts_of(rows: Iterable[Alert]) -> list[dict[str, Any]]:
    return [alert.as_dict() for alert in rows]
