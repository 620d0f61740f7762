"""`python -m server.tmall.sandbox`: run a sandbox from the command line (see `run_sandbox`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from server.tmall.sandbox.cli import run_sandbox


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m server.tmall.sandbox", description="A local Tmall TOP gateway.")
    parser.add_argument("--port", type=int, default=8732)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--state", type=Path, default=Path("tmall-sandbox.json"), help="state file (resumed if present)")
    parser.add_argument("--stores", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--buyers-per-minute", type=float, default=0.0, help="per store")
    parser.add_argument("--exchange-share", type=float, default=None,
                        help="share of shipped trades whose buyer asks for an exchange, 0..1 (default: 0, or the saved one)")
    parser.add_argument("--catalog", default=None, help="comma-separated SKU codes (default: the demo site's)")
    parser.add_argument("--json", action="store_true", help="print the credentials as one JSON line")
    args = parser.parse_args(argv)
    catalog = [code.strip() for code in args.catalog.split(",") if code.strip()] if args.catalog else None
    run_sandbox(args.port, args.state, args.stores, args.seed, args.buyers_per_minute, args.json, args.host, catalog,
                args.exchange_share)


if __name__ == "__main__":
    main()
