"""engine/conflict stays pure: no UI, network, database, clock or randomness (STYLE.md rule 1)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import engine.conflict

PACKAGE_DIR = Path(engine.conflict.__file__).parent
FORBIDDEN = {"time", "random", "sqlite3", "sqlite_utils", "httpx", "textual"}
MODULES = sorted(
    f"engine.conflict.{path.stem}" for path in PACKAGE_DIR.glob("*.py") if path.stem != "__init__"
)


def test_every_rule_module_is_checked() -> None:
    expected = {
        "ledger", "counts", "escrow", "quotas", "orders", "picks", "proposals", "dedup", "book"
    }
    assert {name.rsplit(".", 1)[1] for name in MODULES} >= expected


def test_importing_the_rules_loads_no_ui_network_or_database() -> None:
    heavy = ("textual", "httpx", "sqlite3", "sqlite_utils")
    code = (
        f"import engine.conflict, {', '.join(MODULES)}; import sys; "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE_DIR.parent.parent,
    )
    assert result.stdout.strip() == "[]"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name.split(".")[0] for name in names}


def test_no_rule_module_imports_a_clock_randomness_or_io() -> None:
    offenders = {
        path.name: sorted(imported_modules(path) & FORBIDDEN)
        for path in sorted(PACKAGE_DIR.glob("*.py"))
        if imported_modules(path) & FORBIDDEN
    }
    assert offenders == {}


def test_rule_modules_import_only_the_model_and_each_other() -> None:
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        engine_imports = {
            node.module
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("engine")
        }
        allowed = {
            m for m in engine_imports if m == "engine.model" or m.startswith("engine.conflict")
        }
        assert engine_imports == allowed, f"{path.name} imports {sorted(engine_imports - allowed)}"
