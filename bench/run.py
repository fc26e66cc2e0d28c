"""`python -m bench`: generate the demo at each size, measure the main pages, print JSON lines.

Output on stdout, one JSON object per line:

* {"name": "demo_generate", "n": 5000, "seconds": ...} for each size;
* {"name": "caseload", "n": 5000, "runs": 30, "p50_ms": ..., "p95_ms": ..., "queries": 9,
  "target_p95_ms": 150, "status": "ok" | "over" | "error", ...} for each page and size
  ("error" carries "http_status" when the page did not answer 200);
* {"name": "queries_constant", "page": "caseload", "queries": {"5000": 9, "50000": 9},
  "constant": true} for each page: the query count must not grow with the data (no N+1);
* {"name": "summary", ...} last.

A readable table goes to stderr with the generator's progress bar.

The database is throwaway: a temporary SQLite file (or --sqlite-path), or, when
DATABASE_URL is set, a new PostgreSQL database named after it with a "_bench" suffix,
dropped at the end. The developer's own database is never touched.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default="5000,50000",
        help="Comma-separated resident counts (default 5000,50000).",
    )
    parser.add_argument("--runs", type=int, default=30, help="Timed requests per page.")
    parser.add_argument("--warmup", type=int, default=3, help="Untimed requests first.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--sqlite-path", help="Use (and keep) this SQLite file instead of a temporary one."
    )
    return parser.parse_args(argv)


def configure_environment(args):
    """Point the settings at a throwaway database before Django starts. Returns a cleanup."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"
    # Static files are served by the web server in production; not part of what is timed.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    if os.environ.get("DATABASE_URL"):
        return None  # PostgreSQL: a fresh database is created once Django is set up
    if args.sqlite_path:
        os.environ["SQLITE_PATH"] = str(Path(args.sqlite_path).resolve())
        return None
    tmp = tempfile.mkdtemp(prefix="commonweave-bench-")
    os.environ["SQLITE_PATH"] = str(Path(tmp) / "bench.sqlite3")
    os.environ["COMMONWEAVE_DATA_DIR"] = tmp
    return lambda: shutil.rmtree(tmp, ignore_errors=True)


def create_database():
    """Migrate the throwaway database. On PostgreSQL, create it first (returns its teardown)."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        old_name = settings_dict["NAME"]
        settings_dict.setdefault("TEST", {})["NAME"] = f"{old_name}_bench"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        return lambda: connection.creation.destroy_test_db(old_name, verbosity=0)
    call_command("migrate", verbosity=0, interactive=False)
    return None


def emit(record):
    print(json.dumps(record), flush=True)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    cleanup = configure_environment(args)
    started = time.perf_counter()
    teardown = None
    try:
        import django

        django.setup()
        from django.db import connection

        from bench.pages import PAGES, measure_place, print_table

        teardown = create_database()
        print(
            f"bench: {connection.vendor} database {connection.settings_dict['NAME']}",
            file=sys.stderr,
        )
        results = []
        for size in sizes:
            from commonweave.demo.generator import generate_demo

            print(f"\nbench: generating the demo place with {size:,} residents", file=sys.stderr)
            report = generate_demo(
                residents=size, seed=args.seed, slug=f"bench-{size}", name=f"Bench {size}"
            )
            emit({"name": "demo_generate", "n": size, "seconds": round(report.seconds, 2)})
            # The demo's wards, as `python -m commonweave demo` adds them: the area profile
            # draws them and is timed for one of them.
            from commonweave.demo.directory import DEMO_WARDS
            from commonweave.directory.neighbourhoods import import_boundaries

            import_boundaries(report.place, DEMO_WARDS, kind="ward")
            for record in measure_place(report.place, size, runs=args.runs, warmup=args.warmup):
                emit(record)
                results.append(record)
        constant = []
        for page in PAGES:
            counts = {str(r["n"]): r["queries"] for r in results if r["name"] == page.name}
            known = [c for c in counts.values() if c is not None]
            record = {
                "name": "queries_constant",
                "page": page.name,
                "queries": counts,
                "constant": len(known) == len(counts) and len(set(known)) == 1,
            }
            constant.append(record)
            emit(record)
        statuses = [r["status"] for r in results]
        summary = {
            "name": "summary",
            "database": connection.vendor,
            "sizes": sizes,
            "pages": len(results),
            "ok": statuses.count("ok"),
            "over": statuses.count("over"),
            "error": statuses.count("error"),
            "queries_constant": all(r["constant"] for r in constant),
            "worst_p95_ms": max((r["p95_ms"] for r in results if r["p95_ms"]), default=None),
            "seconds": round(time.perf_counter() - started, 1),
        }
        emit(summary)
        print_table(results, constant, summary)
        return 0 if summary["error"] == 0 else 1
    finally:
        if teardown is not None:
            teardown()
        if cleanup is not None:
            cleanup()
