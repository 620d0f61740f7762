"""`kucun`: the one command. Every subcommand listed by `--help` works."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Optional

import typer

from engine.conflict.escrow import SILENT_TERMINAL_MINUTES

app = typer.Typer(
    help="kucun (库存): a warehouse ERP for Tmall sellers whose terminals work offline and never oversell.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
admin_app = typer.Typer(help="Office set-up on the server database.", no_args_is_help=True)
terminal_app_cli = typer.Typer(
    help="The handheld terminal: with --replica, open the scanning app; or run a subcommand.",
    invoke_without_command=True,
)
bench_app = typer.Typer(help="Benchmarks that print measured figures.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
app.add_typer(terminal_app_cli, name="terminal")
app.add_typer(bench_app, name="bench")
store_app = typer.Typer(help="Tmall stores bound to this server.", no_args_is_help=True)
admin_app.add_typer(store_app, name="store")


def _fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


DB_HELP = ("Server database: a SQLite file (created if missing) or postgresql://user@host:port/dbname; "
           "KUCUN_DB sets it too.")


def _db_option(help_text: str = DB_HELP) -> Any:
    return typer.Option(..., "--db", envvar="KUCUN_DB", help=help_text, show_envvar=False)


@app.command()
def server(
    db: str = _db_option(),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8731, help="Port to listen on."),
    workers: int = typer.Option(1, help="Server processes sharing the port (PostgreSQL only; each takes "
                                         "part in sync and the office API, the jobs run in one at a time).",
                                min=1),
    permissions: Optional[Path] = typer.Option(
        None, help="JSON file of role → op kinds, replacing the defaults of the roles it names."
    ),
    marketplace: bool = typer.Option(True, help="Run the Tmall jobs for bound stores."),
    import_interval: float = typer.Option(10.0, help="Seconds between Tmall order imports."),
    backup_dir: Optional[Path] = typer.Option(
        None, help="Folder of the daily backups [default: <db>.backups beside a SQLite file, "
                   "kucun-backups-<dbname> for PostgreSQL]."
    ),
    backup_keep: int = typer.Option(7, help="Daily backups to keep.", min=1),
    backup_every_hours: float = typer.Option(24.0, help="Hours between automatic backups; 0 = none."),
    alert_interval: float = typer.Option(30.0, help="Seconds between stock-alert evaluations; 0 = none."),
    silent_terminal_minutes: float = typer.Option(
        SILENT_TERMINAL_MINUTES, min=1.0,
        help="A synced count keeps its escrow until every terminal of the warehouse has pulled, except "
             "one silent this long (R3). Shorter puts counted stock on sale sooner, and risks selling "
             "twice units such a terminal moved into the bin and has not synced: keep it above your "
             "longest outage (at 30 min an 8-hour simulation with outages of up to 75 min oversold)."),
) -> None:
    """Run the sync server (and the Tmall jobs of every bound store, the alerts and the backups)."""
    from server.errors import ConfigError
    from server.permissions import Permissions
    from server.serve import ServeSettings, serve
    from server.store.database import DatabaseError, Database, describe, is_url

    if workers > 1 and not is_url(db):
        _fail("--workers > 1 needs PostgreSQL (--db postgresql://...): SQLite has one writer")
    try:
        if permissions:
            Permissions.from_file(permissions)
        Database(db).close()  # migrate once here, not in every worker at the same time
    except (ConfigError, DatabaseError) as problem:
        _fail(str(problem))
        return
    except Exception as problem:  # a database that cannot be reached: say so, no traceback
        _fail(f"cannot open the database {describe(db)}: {problem}")
        return
    settings = ServeSettings(
        db=db, permissions=str(permissions) if permissions else None, marketplace=marketplace,
        import_interval_s=import_interval, backup_dir=str(backup_dir) if backup_dir else None,
        backup_keep=backup_keep, backup_every_hours=backup_every_hours, alert_interval_s=alert_interval,
        silent_terminal_minutes=silent_terminal_minutes,
    )
    plural = f", {workers} processes" if workers > 1 else ""
    typer.echo(f"kucun server: database {describe(db)}, listening on http://{host}:{port}{plural}")
    if backup_every_hours > 0:
        typer.echo(f"backups: every {backup_every_hours:g} h into {settings.backups_folder}, keeping {backup_keep}")
    serve(settings, host=host, port=port, workers=workers)


@admin_app.callback()
def admin(
    ctx: typer.Context,
    db: str = _db_option(),
) -> None:
    """Office set-up on the server database."""
    ctx.obj = db


@admin_app.command("load")
def admin_load(ctx: typer.Context, file: Path = typer.Argument(..., help="Site file (JSON).")) -> None:
    """Load warehouses, locations, SKUs and operators from one JSON file (all or nothing)."""
    from server.errors import SiteFileError
    from server.site import load_site, read_site_file
    from server.store.database import Database

    try:
        data = read_site_file(file)
        database = Database(ctx.obj)
        counts = load_site(database, data, _now_ms())
    except SiteFileError as problem:
        typer.secho(f"{file}: nothing was loaded, {len(problem.problems)} problem(s):", fg="red", err=True)
        for line in problem.problems:
            typer.echo(f"  {line}", err=True)
        raise typer.Exit(1)
    summary = ", ".join(f"{n} {section}" for section, n in counts.items() if n)
    typer.echo(f"loaded {summary or 'nothing (empty file)'} into {ctx.obj}")


@admin_app.command("enroll-code")
def admin_enroll_code(
    ctx: typer.Context,
    warehouse: str = typer.Option(..., help="Warehouse the new terminal will work in."),
    ttl_hours: float = typer.Option(24.0, help="Hours until the code expires."),
    as_json: bool = typer.Option(False, "--json", help="Print {enrollment_code, expires_at}."),
) -> None:
    """Print a fresh single-use enrollment code for one terminal."""
    from datetime import datetime, timezone

    from server.errors import UnknownWarehouse
    from server.site import issue_enrollment_code
    from server.store.database import Database

    if ttl_hours <= 0:
        _fail("--ttl-hours must be positive")
    try:
        code, expires_ms = issue_enrollment_code(
            Database(ctx.obj), warehouse, _now_ms(), int(ttl_hours * 3600 * 1000)
        )
    except UnknownWarehouse as problem:
        _fail(str(problem))
        return
    expires = datetime.fromtimestamp(expires_ms / 1000, tz=timezone.utc).isoformat(timespec="seconds")
    if as_json:
        typer.echo(json.dumps({"enrollment_code": code, "expires_at": expires}))
    else:
        typer.echo(f"enrollment code for {warehouse}: {code} (single use, expires {expires})")


@store_app.command("add")
def store_add(
    ctx: typer.Context,
    nick: str = typer.Option(..., help="The seller nick of the store."),
    app_key: str = typer.Option(..., help="TOP app key."),
    app_secret: str = typer.Option(..., envvar="KUCUN_TOP_APP_SECRET",
                                   help="TOP app secret (or env KUCUN_TOP_APP_SECRET); stored encrypted."),
    session: str = typer.Option(..., envvar="KUCUN_TOP_SESSION",
                                help="Seller session key (or env KUCUN_TOP_SESSION); stored encrypted."),
    gateway: str = typer.Option(..., help="TOP gateway URL, e.g. http://127.0.0.1:8800/router/rest"),
    share: int = typer.Option(1, help="Weight of this store in the split of sellable stock."),
    safety: int = typer.Option(0, help="Units of every SKU never published to any store."),
    sign_method: str = typer.Option("hmac-sha256", help="md5 | hmac | hmac-sha256"),
    map_sku: list[str] = typer.Option([], "--map", help="OUTER_SKU_ID=SKU when they differ (repeatable)."),
) -> None:
    """Bind a Tmall store: test the connection, map listings by outer_sku_id, start publishing."""
    import httpx

    from server.errors import ServerError
    from server.store.database import Database
    from server.tmall.binding import bind_store
    from server.tmall.signing import SIGN_METHODS
    from server.vault import Vault

    if sign_method not in SIGN_METHODS:
        _fail(f"--sign-method must be one of {', '.join(SIGN_METHODS)}")
    mapping = {}
    for pair in map_sku:
        outer, _, sku = pair.partition("=")
        if not outer or not sku:
            _fail(f"--map takes OUTER_SKU_ID=SKU, got '{pair}'")
        mapping[outer] = sku
    try:
        with httpx.Client(timeout=30) as http:
            report = bind_store(
                Database(ctx.obj), Vault.for_database(ctx.obj), http, nick=nick, app_key=app_key,
                app_secret=app_secret, session=session, gateway_url=gateway, sign_method=sign_method,
                share=share, safety=safety, sku_map=mapping,
            )
    except ServerError as problem:
        _fail(str(problem))
        return
    typer.echo(f"store {report.store_id} bound: connection ok, {len(report.mapped)} SKU(s) mapped")
    if report.unmapped_outer_ids:
        typer.echo(f"  not mapped (no SKU with that code; use --map): {', '.join(report.unmapped_outer_ids)}")


@store_app.command("list")
def store_list(ctx: typer.Context) -> None:
    """Bound stores with their status (secrets are never shown)."""
    from server.store import marketplace
    from server.store.database import Database

    with Database(ctx.obj).reading() as conn:
        rows = marketplace.stores(conn)
        for row in rows:
            mapped = len(marketplace.listings(conn, row.store_id))
            detail = f" ({row.status_detail})" if row.status_detail else ""
            typer.echo(f"{row.store_id}: {row.status}{detail}, share {row.share}, safety {row.safety}, "
                       f"{mapped} SKU(s), gateway {row.gateway_url}")
    if not rows:
        typer.echo("no store bound yet: kucun admin --db ... store add --help")


@admin_app.command("warehouse-priority")
def warehouse_priority(
    ctx: typer.Context,
    warehouse: str = typer.Option(..., help="Warehouse id."),
    priority: int = typer.Option(..., help="Lower ships first when several warehouses can cover an order (default 100)."),
) -> None:
    """Set which warehouse allocation prefers among those that can cover an order."""
    from server.store import marketplace, masterdata
    from server.store.database import Database

    with Database(ctx.obj).transaction() as conn:
        if not masterdata.warehouse_exists(conn, warehouse):
            _fail(f"unknown warehouse '{warehouse}'")
        marketplace.set_warehouse_priority(conn, warehouse, priority)
    typer.echo(f"warehouse {warehouse}: allocation priority {priority}")


@admin_app.command("sync-store")
def sync_store(ctx: typer.Context) -> None:
    """Run the Tmall jobs once now: import orders, allocate, ship, publish quotas."""
    import httpx

    from server.store.database import Database
    from server.marketplace_jobs import MarketplaceJobs
    from server.vault import Vault

    with httpx.Client(timeout=30) as http:
        jobs = MarketplaceJobs(Database(ctx.obj), Vault.for_database(ctx.obj), http)
        if not jobs.stores():
            _fail("no store is bound (or every store needs re-authorization)")
        report = jobs.run_if_leading()
        if report is None:  # a running server leads the Tmall jobs: two publishers would double quotas
            _fail("a running kucun server is running the Tmall jobs of this site now; it runs them "
                  "every --import-interval seconds and at once after each push")
            return
        jobs.leadership.release()
        typer.echo(report.summary())


@app.command("tmall-sandbox")
def tmall_sandbox(
    port: int = typer.Option(8800, help="Port of the sandbox gateway on 127.0.0.1."),
    state: Path = typer.Option(Path("tmall-sandbox.json"), help="State file (resumed when it exists)."),
    stores: int = typer.Option(2, help="Stores to create on first start."),
    seed: int = typer.Option(1, help="Seed of credentials and buyers."),
    buyers_per_minute: float = typer.Option(6.0, help="Simulated buyers per minute per store."),
    as_json: bool = typer.Option(False, "--json", help="Print the stores' credentials as one JSON object."),
    exchange_share: Optional[float] = typer.Option(
        None, "--exchange-share", min=0.0, max=1.0,
        help="Share of shipped trades whose buyer asks for an exchange (换货): 0 unless given or saved."),
) -> None:
    """Run the local TOP sandbox: a Tmall gateway with stores, listings and simulated buyers."""
    from server.tmall.sandbox import run_sandbox

    run_sandbox(port=port, state_path=state, stores=stores, seed=seed,
                buyers_per_minute=buyers_per_minute, as_json=as_json, exchange_share=exchange_share)


@terminal_app_cli.callback()
def terminal(
    ctx: typer.Context,
    replica: Optional[Path] = typer.Option(None, help="The terminal's replica file (created if missing)."),
    server_url: Optional[str] = typer.Option(None, "--server", help="Sync server URL (omit to work offline)."),
    enroll: Optional[str] = typer.Option(None, help="Enrollment code from the office (first run)."),
    lang: str = typer.Option("zh", help="zh | en"),
    name: str = typer.Option("", help="Device name shown to the office (default: host name)."),
) -> None:
    """Open the Textual scanning app on a replica (enrolling and taking a snapshot on first run)."""
    if ctx.invoked_subcommand is not None:
        return
    if replica is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    if lang not in ("zh", "en"):
        _fail("--lang must be zh or en")
    import socket

    from terminal_app.cli import run_terminal

    raise typer.Exit(run_terminal(replica, server_url, enroll, lang, name or socket.gethostname()))


@terminal_app_cli.command("decode")
def terminal_decode(image: Path = typer.Argument(..., help="A photo or scan of barcodes.")) -> None:
    """Decode the barcodes in an image (pyzbar) and say what each one is."""
    from terminal_app.decode import DecodeError, decode_and_parse

    try:
        scans = decode_and_parse(image)
    except DecodeError as problem:
        _fail(str(problem))
        return
    if not scans:
        _fail(f"no barcode found in {image}")
    for scan in scans:
        detail = scan.error or scan.code
        typer.echo(f"{scan.kind.value.lower():9} {scan.symbology:9} {scan.raw!r}  {detail}")


@terminal_app_cli.command("sync")
def terminal_sync(
    replica: Path = typer.Option(..., help="The terminal's replica file (created if missing)."),
    server_url: str = typer.Option(..., "--server", help="Sync server URL, e.g. http://127.0.0.1:8731"),
    enroll: Optional[str] = typer.Option(None, help="Enrollment code from the office (first use)."),
    name: str = typer.Option("", help="Device name shown to the office (default: host name)."),
    attempts: int = typer.Option(5, help="Tries while the server is unreachable (with backoff)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Run one sync of a terminal replica: push its outbox, pull its warehouse."""
    import dataclasses
    import socket

    import httpx

    from engine.errors import SyncError
    from engine.replica import Replica
    from engine.sync import SyncClient

    with Replica.open(replica) as local, httpx.Client(base_url=server_url, timeout=30) as http:
        client = SyncClient(local, http)
        try:
            if not client.enrolled:
                if not enroll:
                    _fail("this replica is not enrolled yet: pass --enroll CODE (from "
                          "`kucun admin enroll-code`)")
                device_id = client.enroll(enroll or "", name or socket.gethostname())
                typer.echo(f"enrolled as device {device_id}")
            elif enroll:
                typer.echo("already enrolled; --enroll ignored")
            report = client.sync(max_attempts=max(attempts, 1))
        except SyncError as problem:
            _fail(f"sync failed, nothing recorded on this terminal is lost: {problem}")
            return
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(report), ensure_ascii=False))
        return
    typer.echo(report.summary())
    for result in report.rejected:
        typer.echo(f"  rejected seq {result.get('seq')}: {result.get('code')} — {result.get('reason')}")


@bench_app.command("sync")
def bench_sync_command(
    ops: int = typer.Option(10_000, help="Total ops to push."),
    batch: int = typer.Option(1_000, help="Ops per push batch."),
    seed: int = typer.Option(7, help="Seed of the op mix."),
    db: Optional[str] = typer.Option(
        None, "--db", help="postgresql://user@host:port/dbname: bench on that PostgreSQL server, in a "
                           "scratch database beside dbname, dropped afterwards [default: SQLite file]."),
    processes: int = typer.Option(
        1, "--processes", min=1,
        help="Server processes (PostgreSQL only): N > 1 runs `kucun server --workers N` on the scratch "
             "database, pushed over HTTP by 2×N client threads, a warehouse and a terminal each; the raw "
             "reference then runs on as many connections in parallel [default: 1, in process]."),
    snapshot_skus: int = typer.Option(
        100_000, "--snapshot-skus", min=0,
        help="SKUs of the site a new terminal takes a snapshot of, for the pull/snapshot line (0: no line)."),
    pull_changes: int = typer.Option(
        100_000, "--pull-changes", min=1, help="Changes the terminal then pulls, for the pull/snapshot line."),
) -> None:
    """Server ops/s for batches of mixed ops, beside raw executemany of as many rows (same backend);
    then a new terminal's snapshot of a big site and a pull of many changes, timed."""
    import contextlib

    from kucun.bench.pull import bench_pull
    from kucun.bench.sync import bench_sync
    from server.store.scratch import scratch_database

    if ops < batch or batch < 1:
        _fail("--ops must be at least --batch, and --batch at least 1")
    if db is not None and not db.startswith("postgresql://"):
        _fail("--db takes a postgresql:// URL (without it the bench runs on a SQLite file)")
    if processes > 1 and db is None:
        _fail("--processes > 1 needs PostgreSQL (--db postgresql://...): SQLite has one writer")
    where = f" to {processes} server processes" if processes > 1 else ""
    typer.echo(f"pushing {ops // batch} batch(es) of {batch} mixed ops{where}...")
    with contextlib.ExitStack() as stack:
        target = None
        if db is not None:
            target = stack.enter_context(scratch_database(db, "bench"))
        typer.echo(bench_sync(ops, batch, seed, target=target, processes=processes).report())
    if snapshot_skus == 0:
        return
    typer.echo(f"seeding a {snapshot_skus:,}-SKU site for the snapshot and pull...")
    with contextlib.ExitStack() as stack:
        target = None
        if db is not None:
            target = stack.enter_context(scratch_database(db, "bench"))
        typer.echo(bench_pull(snapshot_skus, pull_changes, target).report())


@app.command()
def simulate(
    seed: int = typer.Option(1, help="Seed: the same seed gives the same result."),
    terminals: int = typer.Option(8, help="Handheld terminals."),
    stores: int = typer.Option(2, help="Tmall stores in the sandbox."),
    skus: int = typer.Option(8, help="SKUs."),
    hours: float = typer.Option(8.0, help="Simulated working hours."),
    faults: str = typer.Option("heavy", help="none | light | heavy"),
    policy: str = typer.Option("kucun", help="kucun | naive (full-overwrite publishing, last-writer-wins stock)"),
    compare: bool = typer.Option(False, "--compare", help="Run kucun and naive on the same seed, side by side."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object (a list with --compare)."),
    escrow_fraction: float = typer.Option(
        1.0, min=0.0, max=1.0,
        help="Share of a counted bin escrowed (R3): 1 = all of it (the default), 0.1 = a 10 % tolerance.",
    ),
    silent_terminal_minutes: float = typer.Option(
        SILENT_TERMINAL_MINUTES, "--silent-terminal-minutes", min=1.0,
        help="As for kucun server: a terminal silent this long no longer holds a synced count's escrow."),
    db: Optional[str] = typer.Option(
        None, "--db", help="Run the server on PostgreSQL: postgresql://user@host:port/dbname names the "
                           "server; the run uses a scratch database beside dbname, dropped afterwards "
                           "[default: a SQLite file in a temporary folder]."),
    file_orders_per_hour: float = typer.Option(
        0.0, "--file-orders-per-hour", min=0.0,
        help="Orders of a file channel (wholesale, another platform) taken beside the shops' [default: none]."),
    basket_share: float = typer.Option(
        0.0, "--basket-share", min=0.0, max=1.0,
        help="Share of Tmall buyers who buy two SKUs in one trade (their refunds are partial) [default: 0]."),
    returns: bool = typer.Option(
        False, "--returns",
        help="After-sales in the working day: buyers send back the goods of refunds after shipping (10-60 "
             "min later), receivers scan them in on their terminals (good to a bin, damaged to @loss), and "
             "kucun agrees the refunds [default: off; goods never come back]."),
    damaged_share: float = typer.Option(
        0.2, "--damaged-share", min=0.0, max=1.0, help="With --returns: share of returned units that are damaged."),
    exchange_share: float = typer.Option(
        0.0, "--exchange-share", min=0.0, max=1.0,
        help="Share of shipped Tmall orders the office turns into exchanges (换货): the goods come back and "
             "a replacement order is picked and shipped; implies --returns [default: 0]."),
    refund_share: Optional[float] = typer.Option(
        None, "--refund-share", min=0.0, max=1.0,
        help="Share of paying Tmall buyers who ask for a refund [default: the sandbox's, 0.05]."),
    tmall_exchange_share: float = typer.Option(
        0.0, "--tmall-exchange-share", min=0.0, max=1.0,
        help="Share of shipped trades whose buyer asks Tmall for an exchange (tmall.exchange.*): kucun "
             "imports and agrees it, receives the goods, confirms them and ships the replacement; implies "
             "--returns [default: 0]."),
) -> None:
    """Simulate a working day with faults and check the promises: never oversell, nothing lost."""
    from kucun.simulation.report import main as simulate_main

    if faults not in ("none", "light", "heavy"):
        _fail("--faults must be none, light or heavy")
    if policy not in ("kucun", "naive"):
        _fail("--policy must be kucun or naive")
    if terminals < 1 or stores < 1 or skus < 1 or hours <= 0:
        _fail("--terminals, --stores and --skus must be at least 1, --hours positive")
    if db is not None and not db.startswith("postgresql://"):
        _fail("--db takes a postgresql:// URL (without it the simulation runs on SQLite)")
    raise typer.Exit(simulate_main(seed=seed, terminals=terminals, stores=stores, skus=skus, hours=hours,
                                   faults=faults, policy=policy, compare_policies=compare,
                                   as_json=as_json, echo=typer.echo, escrow_fraction=escrow_fraction,
                                   silent_terminal_minutes=silent_terminal_minutes, server_db=db,
                                   file_orders_per_hour=file_orders_per_hour,
                                   basket_share=basket_share, returns=returns, damaged_share=damaged_share,
                                   exchange_share=exchange_share, refund_share=refund_share,
                                   tmall_exchange_share=tmall_exchange_share))


@bench_app.command("office")
def bench_office_command(
    orders: int = typer.Option(10_000, help="Paid orders to seed, review, allocate and wave.", min=1),
    profile: bool = typer.Option(False, help="Also print where the time goes."),
) -> None:
    """Time to review, allocate and wave N open orders."""
    from kucun.bench.office import main as bench_office_main

    bench_office_main(["--orders", str(orders)] + (["--profile"] if profile else []))


@bench_app.command("printing")
def bench_printing_command(
    labels: int = typer.Option(500, help="100×150 mm shipping labels in one PDF.", min=1),
    dpi: int = typer.Option(203, help="203 or 300."),
) -> None:
    """Time to render a PDF of N shipping labels with Code 128 barcodes."""
    from kucun.bench.printing import main as bench_printing_main

    bench_printing_main(["--labels", str(labels), "--dpi", str(dpi)])


@bench_app.command("simulate")
def bench_simulate_command(
    seeds: int = typer.Option(200, help="Seeds 1..N, each run under both policies (with --matrix: per cell)."),
    hours: float = typer.Option(1.0, help="Simulated hours per run."),
    faults: str = typer.Option("heavy", help="none | light | heavy"),
    processes: int = typer.Option(2, help="Worker processes."),
    escrow_fraction: float = typer.Option(1.0, min=0.0, max=1.0, help="As for kucun simulate."),
    silent_terminal_minutes: float = typer.Option(SILENT_TERMINAL_MINUTES, "--silent-terminal-minutes", min=1.0,
                                                  help="As for kucun simulate."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole summary as JSON."),
    matrix: bool = typer.Option(False, "--matrix", help="Seeds × terminals × stores × faults × hours, a line "
                                                        "per cell (--cell-* choose the values)."),
    cell_terminals: str = typer.Option("2,6,12", help="With --matrix: terminals per cell."),
    cell_stores: str = typer.Option("1,3,5", help="With --matrix: stores per cell."),
    cell_faults: str = typer.Option("light,heavy", help="With --matrix: fault profiles."),
    cell_hours: str = typer.Option("1,8", help="With --matrix: simulated hours."),
    naive: bool = typer.Option(True, "--naive/--no-naive", help="With --matrix: also run the naive policy."),
) -> None:
    """Sweep many seeds: oversold units, ops lost, convergence and availability, kucun vs naive."""
    def progress(done: int, total: int) -> None:
        typer.echo(f"\r{done}/{total} runs", nl=False, err=True)

    if matrix:
        from kucun.bench.simulate import cells, format_matrix, parse_list, run_matrix

        try:
            grid = cells(parse_list(cell_terminals, int), parse_list(cell_stores, int),
                         parse_list(cell_faults, str), parse_list(cell_hours, float))
        except ValueError:
            _fail("--cell-terminals, --cell-stores and --cell-hours take comma-separated numbers")
        if seeds < 1 or processes < 1 or not grid or any(
                c.faults not in ("none", "light", "heavy") or c.terminals < 1 or c.stores < 1 or c.hours <= 0
                for c in grid):
            _fail("--seeds and --processes at least 1; cells of faults none|light|heavy, positive sizes")
        result = run_matrix(grid, range(1, seeds + 1), naive=naive, processes=processes, progress=progress,
                            escrow_fraction=escrow_fraction, silent_terminal_minutes=silent_terminal_minutes)
        typer.echo("", err=True)
        typer.echo(json.dumps(result, indent=2) if as_json else format_matrix(result))
        return
    from kucun.simulation.sweep import format_sweep, sweep

    if faults not in ("none", "light", "heavy") or seeds < 1 or hours <= 0 or processes < 1:
        _fail("--faults none|light|heavy, --seeds and --processes at least 1, --hours positive")

    summary = sweep(range(1, seeds + 1), processes=processes, progress=progress, hours=hours, faults=faults,
                    escrow_fraction=escrow_fraction, silent_terminal_minutes=silent_terminal_minutes)
    typer.echo("", err=True)
    typer.echo(json.dumps(summary, indent=2) if as_json else format_sweep(summary))


@bench_app.command("terminal")
def bench_terminal_command(
    skus: int = typer.Option(100_000, help="SKUs in the replica."),
    ledger_rows: int = typer.Option(1_000_000, help="Ledger rows in the replica."),
    scans: int = typer.Option(300, help="Scans to time."),
) -> None:
    """Scan-to-feedback p50/p99 and start-up time of the terminal app on a large replica."""
    from kucun.bench.terminal import bench_terminal

    typer.echo(bench_terminal(skus=skus, ledger_rows=ledger_rows, scans=scans).report())


@app.command()
def labels(
    kind: str = typer.Argument(..., help="skus | bins | totes"),
    codes: list[str] = typer.Argument(None, help="Codes to print (bins and totes; SKUs default to all)."),
    out: Path = typer.Option(..., help="Output file, .pdf or .png."),
    db: Optional[str] = typer.Option(None, "--db", envvar="KUCUN_DB", show_envvar=False,
                                     help="Server database (SQLite file or postgresql:// URL): SKU names "
                                          "and barcodes."),
) -> None:
    """Render Code 128 / EAN-13 labels for SKUs, bins or totes."""
    from documents.labels import LabelError, LabelSpec, render_labels

    if kind not in ("skus", "bins", "totes"):
        _fail("kind must be skus, bins or totes")
    if out.suffix.lower() not in (".pdf", ".png"):
        _fail("--out must end in .pdf or .png")
    specs: list[LabelSpec] = []
    if kind == "skus":
        if db is None:
            _fail("SKU labels need --db (names and barcodes come from the server database)")
        from server.store.database import Database
        from server.store.reports import sku_labels

        with Database(db).reading() as tx:
            rows = sku_labels(tx)
        wanted = set(codes or [])
        specs = [LabelSpec(r[0], r[1], r[2]) for r in rows if not wanted or r[0] in wanted]
        missing = wanted - {spec.code for spec in specs}
        if missing:
            _fail(f"unknown SKU(s): {', '.join(sorted(missing))}")
    else:
        if not codes:
            _fail(f"name the {kind} to print, e.g. A-01-01 A-01-02")
        specs = [LabelSpec(code) for code in codes]
    try:
        written = render_labels(kind, specs, out)  # type: ignore[arg-type]
    except LabelError as problem:
        _fail(str(problem))
        return
    typer.echo(f"{len(specs)} {kind} label(s) written to {written}")


@bench_app.command("tmall")
def bench_tmall_command(
    trades: int = typer.Option(2_000, help="Trades to place in the sandbox and import."),
) -> None:
    """Trades imported per second from the TOP sandbox, and count → lowered quota latency."""
    from kucun.bench.tmall import bench_tmall

    if trades < 1:
        _fail("--trades must be at least 1")
    typer.echo(f"placing {trades} trades in the TOP sandbox, then importing them...")
    typer.echo(bench_tmall(trades).report())


@app.command()
def demo(
    folder: Path = typer.Option(Path(".demo"), "--dir", help="Where the demo keeps its files."),
    port: int = typer.Option(8731, help="Port of the demo server on 127.0.0.1 (the sandbox takes the next)."),
    monitor: bool = typer.Option(False, help="Print orders and quotas instead of opening the terminal app."),
    lang: str = typer.Option("zh", help="Language of the terminal app: zh | en."),
) -> None:
    """The TOP sandbox with two stores and buyers, the server bound to them, and a terminal."""
    from kucun.demo import run_demo

    raise typer.Exit(run_demo(folder, port, terminal=not monitor, lang=lang))


from kucun.commands import register_all  # noqa: E402  (the office parts' subcommands)

register_all(app, admin_app)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
