"""The site a simulation runs on: warehouses, SKUs, bins, terminals and their operators, planned
from a few numbers, and the server database loaded with it; and where the run keeps its files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kucun.simulation.clock import START_MS
from server.site import load_site
from server.store.database import Database, is_url

ROLE_ORDER = ("picker", "receiver", "counter", "clerk", "picker", "counter", "receiver", "picker", "clerk")
ROLES = {
    "picker": ["picker", "packer"],
    "receiver": ["receiver"],
    "counter": ["counter"],
    "clerk": ["receiver"],  # a transfer clerk moves stock between bins
    "office": ["supervisor"],
}


@dataclass(frozen=True)
class TerminalSpec:
    name: str
    role: str
    warehouse: str
    operator: str
    tote: str | None = None


@dataclass(frozen=True)
class SiteSpec:
    warehouses: tuple[str, ...]
    skus: tuple[str, ...]
    bins: dict[str, tuple[str, ...]]
    receiving: dict[str, str]
    terminals: tuple[TerminalSpec, ...]
    offices: tuple[TerminalSpec, ...]

    def home_bin(self, warehouse: str, sku: str) -> str:
        bins = self.bins[warehouse]
        return bins[self.skus.index(sku) % len(bins)]

    def warehouse_of(self, location: str) -> str:
        return location.split("-", 1)[0]

    def real_locations(self, warehouse: str) -> list[str]:
        totes = [t.tote for t in self.terminals if t.warehouse == warehouse and t.tote]
        return [self.receiving[warehouse], *self.bins[warehouse], *totes]

    def pickers(self, warehouse: str) -> list[TerminalSpec]:
        return [t for t in self.terminals if t.warehouse == warehouse and t.role == "picker"]

    def with_role(self, warehouse: str, role: str) -> list[TerminalSpec]:
        return [t for t in self.terminals if t.warehouse == warehouse and t.role == role]

    def site_json(self) -> dict[str, Any]:
        locations: list[dict[str, str]] = []
        for wh in self.warehouses:
            locations.append({"warehouse": wh, "code": self.receiving[wh], "kind": "staging"})
            locations += [{"warehouse": wh, "code": b, "kind": "bin"} for b in self.bins[wh]]
        for t in self.terminals:
            if t.tote:
                locations.append({"warehouse": t.warehouse, "code": t.tote, "kind": "tote"})
        operators = [
            {"id": t.operator, "name": t.name, "pin": "1234", "roles": ROLES[t.role],
             "warehouses": [t.warehouse]}
            for t in (*self.terminals, *self.offices)
        ]
        return {
            "warehouses": [{"id": wh, "name": f"warehouse {wh}"} for wh in self.warehouses],
            "locations": locations,
            "skus": [{"sku": s, "name": f"product {s}", "barcodes": [f"69{i:011d}"]}
                     for i, s in enumerate(self.skus)],
            "operators": operators,
        }


def plan_site(terminals: int, skus: int, warehouses: int | None = None) -> SiteSpec:
    """Warehouses `WH1..`, a staging area, bins and a tote per picker in each; the terminals dealt
    round-robin over the warehouses, each warehouse's roles in `ROLE_ORDER`."""
    if terminals < 1 or skus < 1:
        raise ValueError("a simulation needs at least one terminal and one SKU")
    count = warehouses if warehouses is not None else min(3, max(1, terminals // 4))
    whs = tuple(f"WH{i + 1}" for i in range(count))
    codes = tuple(f"SKU-{k + 1:03d}" for k in range(skus))
    nbins = max(4, min(12, skus // 2 + 2))
    bins = {wh: tuple(f"{wh}-B{b + 1:02d}" for b in range(nbins)) for wh in whs}
    specs: list[TerminalSpec] = []
    per_wh: Counter[str] = Counter()
    for i in range(terminals):
        wh = whs[i % count]
        role = ROLE_ORDER[per_wh[wh] % len(ROLE_ORDER)]
        per_wh[wh] += 1
        name = f"t{i + 1:02d}-{role}"
        tote = f"{wh}-TOTE{i + 1:02d}" if role == "picker" else None
        specs.append(TerminalSpec(name, role, wh, f"op-{i + 1:02d}", tote))
    offices = tuple(TerminalSpec(f"office-{wh}", "office", wh, f"office-{wh}") for wh in whs)
    return SiteSpec(whs, codes, bins, {wh: f"{wh}-RECV" for wh in whs}, tuple(specs), offices)


def site_database(spec: SiteSpec, path: str | Path) -> None:
    """A server database with the site loaded, at `path` (a file, or an empty PostgreSQL database's
    URL, loaded directly). Loading hashes every PIN (argon2, ~30 ms each), so the loaded file is
    built once per site shape, kept in a per-user cache folder (on tmpfs when there is one) and
    copied."""
    data = spec.site_json()
    if is_url(path):
        db = Database(path)
        try:
            load_site(db, data, START_MS - 86_400_000)
        finally:
            db.close()
        return
    from server.store.migrate import head_revision

    # the schema's revision is part of the key: a file made by another version is not reused
    key = hashlib.sha256(json.dumps([data, head_revision()], sort_keys=True).encode()).hexdigest()[:16]
    cache = Path(_scratch_root() or tempfile.gettempdir()) / f"kucun-sim-sites-{os.getuid()}"
    cache.mkdir(mode=0o700, exist_ok=True)
    template = cache / f"site-{key}.db"
    if not template.exists():
        building = cache / f"site-{key}.{os.getpid()}.building"
        db = Database(building)
        load_site(db, data, START_MS - 86_400_000)
        db.close()
        os.replace(building, template)  # atomic: a parallel run sees a whole file or none
    shutil.copyfile(template, path)


def _scratch_root() -> str | None:
    """tmpfs when there is one: replicas and the server use synchronous=FULL, and a simulated fsync
    on a real disk would dominate the run time without changing any result."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() else None


def scratch_dir(prefix: str = "kucun-sim-") -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix=prefix, dir=_scratch_root())


__all__ = [
    "ROLES",
    "ROLE_ORDER",
    "SiteSpec",
    "TerminalSpec",
    "plan_site",
    "scratch_dir",
    "site_database",
]
