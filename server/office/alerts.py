"""Stock alerts: min/max limits, episodes raised once and cleared, acknowledgement, and a webhook.

`evaluate_alerts(db, now_ms)` is cheap (a few grouped queries over the SKU/warehouse pairs that have
limits, and the held orders) and can run after each push batch. It

- raises `low_stock` (available ≤ min) and `stock_out` (available ≤ 0) once per episode of a pair;
  the episode ends, and its alerts are cleared, when available is back above min;
- raises `order_held` once for an order held for lack of stock, cleared when it is no longer held;
- surfaces every alert written since the last evaluation, the sync server's `unescrowed_decrement`
  included, and queues each for the webhook.

`available = on_hand − reserved − escrow`, what allocation may still reserve. Webhook deliveries run
outside any request (`WebhookDispatcher.kick()`), with a timeout, a few quick retries, and back-off
between runs; a failure is recorded on the delivery and retried later.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from server.errors import ConfigError
from server.office.accounts import NotFound, OfficeError
from server.store.database import Database
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


_ALERT_COLUMNS = "alert_id, kind, warehouse_id, data, at_ms, episode, cleared_at_ms, acked_at_ms, acked_by"


def _alert(row: sqlite3.Row) -> Alert:
    return Alert(int(row["alert_id"]), row["kind"], row["warehouse_id"], json.loads(row["data"]),
                 int(row["at_ms"]), row["episode"], row["cleared_at_ms"], row["acked_at_ms"],
                 row["acked_by"])


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


def set_limits(conn: sqlite3.Connection, limits: list[StockLimit], now_ms: int) -> None:
    """Upsert limits, all or none: every bad row is reported with its position."""
    if len(limits) > MAX_LIMITS_PER_CALL:
        raise OfficeError("too_many", f"at most {MAX_LIMITS_PER_CALL} limits per call")
    skus = {row[0] for row in conn.execute("SELECT sku FROM skus")}
    warehouses = {row[0] for row in conn.execute("SELECT warehouse_id FROM warehouses")}
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
    for limit in limits:
        conn.execute(
            "INSERT INTO stock_limits (sku, warehouse_id, min_qty, max_qty, updated_at_ms) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sku, warehouse_id) DO UPDATE SET "
            "min_qty = excluded.min_qty, max_qty = excluded.max_qty, updated_at_ms = excluded.updated_at_ms",
            (limit.sku, limit.warehouse_id, limit.min_qty, limit.max_qty, now_ms),
        )


def delete_limit(conn: sqlite3.Connection, warehouse_id: str, sku: str) -> None:
    if conn.execute("DELETE FROM stock_limits WHERE warehouse_id = ? AND sku = ?",
                    (warehouse_id, sku)).rowcount == 0:
        raise NotFound(f"a limit for {sku} in {warehouse_id}")


def limits(conn: sqlite3.Connection, warehouse_id: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT sku, warehouse_id, min_qty, max_qty, updated_at_ms FROM stock_limits"
    args: tuple[Any, ...] = ()
    if warehouse_id:
        sql += " WHERE warehouse_id = ?"
        args = (warehouse_id,)
    return [{"sku": r["sku"], "warehouse_id": r["warehouse_id"], "min": int(r["min_qty"]),
             "max": int(r["max_qty"]), "updated_at_ms": r["updated_at_ms"]}
            for r in conn.execute(sql + " ORDER BY warehouse_id, sku", args)]


@dataclass(frozen=True)
class Availability:
    on_hand: int = 0
    reserved: int = 0
    escrow: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved - self.escrow


def availability(conn: sqlite3.Connection, only_limited: bool = False) -> dict[tuple[str, str], Availability]:
    """`(warehouse_id, sku) → Availability`, from three grouped queries."""
    limited = (" JOIN stock_limits k ON k.sku = {t}.sku AND k.warehouse_id = {w}"
               if only_limited else "")
    parts: dict[tuple[str, str], dict[str, int]] = {}
    for name, sql in (
        ("on_hand", "SELECT l.warehouse_id, s.sku, SUM(s.on_hand) FROM stock s "
                    "JOIN locations l ON l.code = s.location" + limited.format(t="s", w="l.warehouse_id")
                    + " GROUP BY l.warehouse_id, s.sku"),
        ("reserved", "SELECT r.warehouse_id, r.sku, SUM(r.qty) FROM reservations r"
                     + limited.format(t="r", w="r.warehouse_id") + " GROUP BY r.warehouse_id, r.sku"),
        ("escrow", "SELECT l.warehouse_id, e.sku, SUM(e.remaining) FROM escrows e "
                   "JOIN locations l ON l.code = e.location" + limited.format(t="e", w="l.warehouse_id")
                   + " GROUP BY l.warehouse_id, e.sku"),
    ):
        for row in conn.execute(sql):
            parts.setdefault((row[0], row[1]), {})[name] = int(row[2] or 0)
    return {key: Availability(**values) for key, values in parts.items()}


# --- evaluation ----------------------------------------------------------------------------------


def _raise(conn: sqlite3.Connection, kind: str, warehouse_id: str | None, data: dict[str, Any],
           episode: str, now_ms: int) -> None:
    conn.execute(
        "INSERT INTO alerts (kind, warehouse_id, data, at_ms, episode) VALUES (?, ?, ?, ?, ?)",
        (kind, warehouse_id, json.dumps(data, ensure_ascii=False, sort_keys=True), now_ms, episode),
    )


def _clear(conn: sqlite3.Connection, episode: str, now_ms: int) -> None:
    conn.execute("UPDATE alerts SET cleared_at_ms = ? WHERE episode = ? AND cleared_at_ms IS NULL",
                 (now_ms, episode))


def evaluate_alerts(db: Database, now_ms: int) -> list[Alert]:
    """Raise and clear episodes, then return every alert new since the last evaluation (queued for
    the webhook when one is set). One transaction."""
    with db.transaction() as conn:
        open_episodes: dict[str, set[str]] = {}
        for row in conn.execute("SELECT episode, kind FROM alerts "
                                "WHERE episode IS NOT NULL AND cleared_at_ms IS NULL"):
            open_episodes.setdefault(row[0], set()).add(row[1])
        _evaluate_stock(conn, open_episodes, now_ms)
        _evaluate_held_orders(conn, open_episodes, now_ms)
        last = int(conn.execute("SELECT last_alert_id FROM alert_cursor WHERE id = 1").fetchone()[0])
        new = [_alert(row) for row in conn.execute(
            f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE alert_id > ? ORDER BY alert_id", (last,))]
        if new:
            conn.execute("UPDATE alert_cursor SET last_alert_id = ? WHERE id = 1", (new[-1].alert_id,))
            if conn.execute("SELECT 1 FROM alert_webhook WHERE id = 1").fetchone():
                for alert in new:
                    conn.execute("INSERT INTO alert_deliveries (alert_id, next_at_ms) VALUES (?, ?) "
                                 "ON CONFLICT (alert_id) DO NOTHING", (alert.alert_id, now_ms))
    return new


def _evaluate_stock(conn: sqlite3.Connection, open_episodes: dict[str, set[str]], now_ms: int) -> None:
    levels = availability(conn, only_limited=True)
    evaluated: set[str] = set()
    for row in conn.execute("SELECT sku, warehouse_id, min_qty, max_qty FROM stock_limits").fetchall():
        sku, warehouse_id, min_qty = row[0], row[1], int(row[2])
        episode = f"stock|{warehouse_id}|{sku}"
        evaluated.add(episode)
        level = levels.get((warehouse_id, sku), Availability())
        step = stock_episode_step(level.available, min_qty, frozenset(open_episodes.get(episode, ())))
        if step.clear:
            _clear(conn, episode, now_ms)
        for kind in step.raise_kinds:
            _raise(conn, kind, warehouse_id,
                   {"sku": sku, "available": level.available, "on_hand": level.on_hand,
                    "reserved": level.reserved, "escrow": level.escrow, "min": min_qty,
                    "max": int(row[3])}, episode, now_ms)
    for episode in open_episodes:  # a pair whose limit was removed has no episode any more
        if episode.startswith("stock|") and episode not in evaluated:
            _clear(conn, episode, now_ms)


def _evaluate_held_orders(conn: sqlite3.Connection, open_episodes: dict[str, set[str]], now_ms: int) -> None:
    held = conn.execute(
        "SELECT order_id, warehouse_id, hold_reason FROM orders "
        "WHERE hold_reason LIKE 'insufficient_stock%' AND state NOT IN ('cancelled', 'shipped', 'done')"
    ).fetchall()
    still: set[str] = set()
    for row in held:
        episode = f"held|{row[0]}"
        still.add(episode)
        if episode not in open_episodes:
            _raise(conn, ORDER_HELD, row[1], {"order_id": row[0], "reason": row[2]}, episode, now_ms)
    for episode in open_episodes:
        if episode.startswith("held|") and episode not in still:
            _clear(conn, episode, now_ms)


# --- reading and acknowledging ---------------------------------------------------------------------


def list_alerts(conn: sqlite3.Connection, *, open_only: bool = False, kind: str | None = None,
                warehouse_id: str | None = None, limit: int = 500) -> list[Alert]:
    """Newest first; `open_only` keeps alerts neither acknowledged nor cleared."""
    where, args = ["1 = 1"], []
    if open_only:
        where.append("acked_at_ms IS NULL AND cleared_at_ms IS NULL")
    if kind:
        where.append("kind = ?")
        args.append(kind)
    if warehouse_id:
        where.append("warehouse_id = ?")
        args.append(warehouse_id)
    rows = conn.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE {' AND '.join(where)} "
                        "ORDER BY alert_id DESC LIMIT ?", (*args, limit))
    return [_alert(row) for row in rows]


def acknowledge(conn: sqlite3.Connection, alert_id: int, account_id: str, now_ms: int) -> Alert:
    """Mark an alert seen; acknowledging twice keeps the first acknowledgement."""
    conn.execute("UPDATE alerts SET acked_at_ms = ?, acked_by = ? WHERE alert_id = ? AND acked_at_ms IS NULL",
                 (now_ms, account_id, alert_id))
    row = conn.execute(f"SELECT {_ALERT_COLUMNS} FROM alerts WHERE alert_id = ?", (alert_id,)).fetchone()
    if row is None:
        raise NotFound(f"alert {alert_id}")
    return _alert(row)


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
        return Vault.for_database(db.path)
    except ConfigError as problem:
        raise OfficeError("vault", str(problem), 500) from problem


def set_webhook(db: Database, conn: sqlite3.Connection, url: str | None, now_ms: int, by: str) -> str | None:
    """Set (encrypted) or remove the webhook URL; returns the URL as shown, or None."""
    if url is None or not url.strip():
        conn.execute("DELETE FROM alert_webhook WHERE id = 1")
        return None
    clean = check_url(url)
    shown = shown_url(clean)
    conn.execute(
        "INSERT INTO alert_webhook (id, url_enc, url_shown, updated_at_ms, updated_by) VALUES (1, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET url_enc = excluded.url_enc, url_shown = excluded.url_shown, "
        "updated_at_ms = excluded.updated_at_ms, updated_by = excluded.updated_by",
        (_vault(db).encrypt(clean), shown, now_ms, by),
    )
    return shown


def webhook_status(conn: sqlite3.Connection) -> dict[str, Any]:
    """The webhook as shown (never the secret), and how its deliveries stand."""
    row = conn.execute("SELECT url_shown, updated_at_ms, updated_by FROM alert_webhook WHERE id = 1").fetchone()
    counts = conn.execute(
        "SELECT COALESCE(SUM(CASE WHEN delivered_at_ms IS NULL THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN delivered_at_ms IS NOT NULL THEN 1 ELSE 0 END), 0) FROM alert_deliveries"
    ).fetchone()
    failing = conn.execute(
        "SELECT alert_id, attempts, next_at_ms, last_error FROM alert_deliveries "
        "WHERE delivered_at_ms IS NULL AND last_error IS NOT NULL ORDER BY alert_id LIMIT 1"
    ).fetchone()
    return {
        "url": row["url_shown"] if row else None,
        "updated_at_ms": row["updated_at_ms"] if row else None,
        "updated_by": row["updated_by"] if row else None,
        "pending": int(counts[0]),
        "delivered": int(counts[1]),
        "last_error": None if failing is None else {
            "alert_id": failing["alert_id"], "attempts": failing["attempts"],
            "next_at_ms": failing["next_at_ms"], "error": failing["last_error"]},
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
    this run; the database is not held while waiting on the network. A receiver that keeps
    failing stops the run, and every waiting alert is retried after the back-off."""
    report = DeliveryReport()
    with db.reading() as conn:
        hook = conn.execute("SELECT url_enc, url_shown FROM alert_webhook WHERE id = 1").fetchone()
        if hook is None:
            return report
        due = [(int(r[0]), int(r[1]), _alert(r)) for r in conn.execute(
            f"SELECT d.alert_id AS delivery_id, d.attempts, {', '.join('a.' + c for c in _ALERT_COLUMNS.split(', '))} "
            "FROM alert_deliveries d JOIN alerts a ON a.alert_id = d.alert_id "
            "WHERE d.delivered_at_ms IS NULL AND d.next_at_ms <= ? ORDER BY d.alert_id LIMIT ?",
            (clock_ms(), batch))]
    if not due:
        return report
    url, shown = _vault(db).decrypt(hook[0]), hook[1]
    _MASK.shown[str(httpx.URL(url))] = shown
    own = client is None
    http = client or httpx.Client(timeout=timeout_s, follow_redirects=False)
    try:
        for alert_id, attempts, alert in due:
            problem = _post(http, url, shown, alert, tries, pause_s)
            with db.transaction() as conn:
                if problem is None:
                    conn.execute("UPDATE alert_deliveries SET attempts = ?, delivered_at_ms = ?, "
                                 "last_error = NULL WHERE alert_id = ?", (attempts + 1, clock_ms(), alert_id))
                else:  # the receiver is down: this alert and every other waiting one wait for the retry
                    total = attempts + tries
                    retry_at = clock_ms() + retry_delay_ms(total)
                    conn.execute("UPDATE alert_deliveries SET attempts = ?, next_at_ms = ?, last_error = ? "
                                 "WHERE alert_id = ?", (total, retry_at, problem, alert_id))
                    conn.execute("UPDATE alert_deliveries SET next_at_ms = ? WHERE delivered_at_ms IS NULL "
                                 "AND next_at_ms < ?", (retry_at, retry_at))
            if problem is None:
                report.delivered.append(alert_id)
            else:
                report.failed[alert_id] = problem
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
    with db.reading() as conn:
        return conn.execute("SELECT 1 FROM alert_deliveries WHERE delivered_at_ms IS NULL "
                            "AND next_at_ms <= ? LIMIT 1", (now_ms,)).fetchone() is not None


def alerts_of(rows: Iterable[Alert]) -> list[dict[str, Any]]:
    return [alert.as_dict() for alert in rows]
