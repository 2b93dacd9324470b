"""`python -m index build [--force]`: build the knowledge base (a no-op when it is up to date)."""
from __future__ import annotations

import argparse
import sys
import time

from index.config import get_settings
from index.store import StoreError, ensure_store, store_problem


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the store if missing, stale or corrupt")
    build.add_argument("--force", action="store_true", help="rebuild even when up to date")
    sub.add_parser("status", help="say whether the store is usable")
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        if args.command == "status":
            problem = store_problem(settings)
            print(problem or f"up to date: {settings.store_dir}")
            return 0 if problem is None else 1
        t0 = time.perf_counter()
        built = ensure_store(settings, log=lambda m: print(m, flush=True), force=args.force)
        if not built:
            print(f"store is up to date ({settings.store_dir}); nothing to do")
        else:
            print(f"done in {time.perf_counter() - t0:.1f} s")
        return 0
    except (StoreError, OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
