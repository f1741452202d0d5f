"""The ``jdlens`` command: serve, migrate, import the library, analyze JDs, evaluate.

Every command takes ``--db URL`` (else $JDLENS_DB, else a SQLite file in the user's data directory).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from jdlens_server.store.location import DB_ENV_VAR, resolve_db_url

if TYPE_CHECKING:
    from jdlens_server.library.importer import PackName

EPILOG = textwrap.dedent(
    """\
    first steps:
      jdlens library import esco          load the ESCO library (once, ~2 min)
      jdlens library import tech          add the curated data/software skills on top (seconds)
      jdlens analyze examples/reference_jd.txt
      jdlens serve --address 0.0.0.0:50051

    The database is --db URL, else $JDLENS_DB, else a SQLite file in your data directory.
    PostgreSQL: --db postgresql://user@host:5432/dbname
    """
)


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help=f"database URL (default: ${DB_ENV_VAR}, else a SQLite file in the user data dir)",
    )


BACKEND_HELP = (
    "model backend for requests that name none: offline (default; no key, no network) or anthropic "
    "(needs ANTHROPIC_API_KEY in the environment); env JDLENS_BACKEND"
)


CLIENT_BACKEND_HELP = (
    "model backend to ask for: offline (no key, no network) or anthropic (the server needs "
    "ANTHROPIC_API_KEY in its environment); not given: $JDLENS_BACKEND, else the server's own default "
    "(with --server) or offline (the embedded server)"
)


def add_backend(p: argparse.ArgumentParser, *, default: str | None = "offline") -> None:
    """``--backend``; its default is $JDLENS_BACKEND, else ``default`` (None: the server's default)."""
    p.add_argument(
        "--backend",
        choices=["offline", "anthropic"],
        default=os.environ.get("JDLENS_BACKEND") or default,
        help=BACKEND_HELP if default is not None else CLIENT_BACKEND_HELP,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jdlens",
        description="Job-description intelligence over gRPC: parse JDs, resolve skills, classify roles.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the gRPC server until SIGTERM/SIGINT")
    _add_db(serve)
    serve.add_argument(
        "--address",
        default=os.environ.get("JDLENS_ADDRESS", "127.0.0.1:50051"),
        help="host:port to listen on (env JDLENS_ADDRESS; default 127.0.0.1:50051)",
    )
    add_backend(serve)
    serve.add_argument(
        "--embedder",
        default=None,
        help="embedding model, the one the library was imported with (env JDLENS_EMBEDDER; default the "
        "packaged all-MiniLM-L6-v2 int8 model; a name jdlens does not know lists the ones it does)",
    )
    serve.add_argument(
        "--max-workers",
        type=int,
        default=8,
        help="threads for pipeline work (default 8); env JDLENS_PIPELINE_CPU=auto|off|N keeps them on one CPU "
        "(auto: when the process may use exactly two CPUs), the embedding model's lanes on all",
    )
    serve.add_argument(
        "--stream-concurrency", type=int, default=8, help="items in flight per stream (default 8)"
    )
    serve.add_argument(
        "--grace", type=float, default=10.0, help="seconds to drain in-flight calls on shutdown (default 10)"
    )
    serve.add_argument(
        "--library-refresh",
        type=float,
        default=os.environ.get("JDLENS_LIBRARY_REFRESH_S", "60"),
        metavar="SECONDS",
        help="check the store's library version this often and reload in the background when another "
        "replica (or a learned alias) moved it; 0 turns it off (env JDLENS_LIBRARY_REFRESH_S; default 60)",
    )

    migrate = sub.add_parser("migrate", help="bring the database schema up to date")
    _add_db(migrate)

    library = sub.add_parser("library", help="import and inspect the skill/role library")
    lib_sub = library.add_subparsers(dest="library_command", required=True, metavar="ACTION")
    imp = lib_sub.add_parser(
        "import",
        help="import a taxonomy pack shipped with jdlens",
        description="Import ESCO (the default library), tech (jdlens's curated data/software skills and "
        "labels, on top of ESCO) or O*NET (on top of ESCO, or alone). "
        "One transaction per pack; a re-import of the same pack changes nothing.",
    )
    imp.add_argument("pack", choices=["esco", "tech", "onet"])
    _add_db(imp)
    imp.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (there is none when stderr is not a terminal)",
    )
    status = lib_sub.add_parser("status", help="library version and counts")
    _add_db(status)

    analyze = sub.add_parser(
        "analyze",
        help="analyze JD files through the gRPC API",
        description="Analyze each FILE (plain text, markdown or HTML). Without --server an embedded "
        "server is started on a free local port and called through the generated client. "
        "On first use the ESCO library and the tech supplement are imported automatically.",
    )
    analyze.add_argument("files", nargs="+", type=Path, metavar="FILE")
    analyze.add_argument("--server", metavar="ADDR", help="call a running server at host:port")
    analyze.add_argument("--json", action="store_true", help="print each run as proto JSON")
    analyze.add_argument("--title", default="", help="the JD's title, when the file does not state it")
    analyze.add_argument("--dry-run", action="store_true", help="compute everything, write nothing")
    add_backend(analyze, default=None)
    _add_db(analyze)

    ev = sub.add_parser(
        "eval",
        help="measure quality on a labelled set",
        description="Run the real pipeline (dry run) over a labelled set and print its metrics. "
        "Sets: jobads (CSV: title, description, esco_code), titles (CSV: vacancyTitle, conceptUri), "
        "spans (SkillSpan CoNLL), linking (ESCO skill-linking CSV).",
    )
    ev.add_argument("set", choices=["jobads", "titles", "spans", "linking"])
    ev.add_argument("path", type=Path)
    ev.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    ev.add_argument(
        "--limit",
        type=int,
        default=0,
        metavar="N",
        help="jobads and titles: only the first N items (0 = all)",
    )
    add_backend(ev)
    _add_db(ev)

    from jdlens_server.batch import add_batch_parser
    from jdlens_server.bench import add_bench_parser

    add_batch_parser(sub)
    add_bench_parser(sub)
    return parser


def pipeline_cpu(command: str) -> int | None:
    """``$JDLENS_PIPELINE_CPU`` for a long-lived command (see cpu_affinity); a bad value stops the
    command with what to set instead."""
    from jdlens_server import cpu_affinity

    try:
        return cpu_affinity.configured_cpu()
    except ValueError as exc:
        raise SystemExit(f"jdlens {command}: {exc}") from None


def _runtime(  # type: ignore[no-untyped-def]
    db: str | None,
    *,
    embedder: str | None = None,
    backend: str | None = None,
    refresh_s: float = 0,
    huge_pages: bool = False,
):
    from jdlens_server.app import build_runtime

    return build_runtime(
        db,
        embedder_name=embedder,
        backend=backend,
        library_refresh_s=refresh_s or None,
        huge_pages=huge_pages,
    )


# The default library, in import order: ESCO, then jdlens's curated tech supplement on top.
DEFAULT_PACKS: tuple[PackName, ...] = ("esco", "tech")


def _ensure_library(db_url: str) -> None:
    """First use: import the default library (ESCO, then the tech supplement on top) so `jdlens analyze`
    works on a fresh machine. Each default pack missing from an empty or ESCO library is imported, so
    an interrupted first run, or a library from before the tech pack, is completed; a library built
    from other packs (O*NET alone) is left as it is."""
    from jdlens_server.library.importer import import_pack, stale_packs
    from jdlens_server.library.model_check import check_library_embedder
    from jdlens_server.library.versions import current_version
    from jdlens_server.nlp.embedder import configured_embedder, model_spec
    from jdlens_server.store.db import make_engine, migrate, session_factory
    from jdlens_server.store.models import PackImportRow

    model_spec(configured_embedder())  # an unknown model name stops here, before any import starts
    migrate(db_url)
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            check_library_embedder(session, configured_embedder())  # before adding a pack to it
            empty = current_version(session) == 0
            imported = {row.pack for row in session.query(PackImportRow)}
            stale = stale_packs(session)
    finally:
        engine.dispose()
    for outdated in stale:
        print(f"jdlens: {outdated.hint()}", file=sys.stderr)
    if not empty and "esco" not in imported:
        return
    missing = [pack for pack in DEFAULT_PACKS if pack not in imported]
    if not missing:
        return
    print(f"jdlens: importing the default library's {' and '.join(missing)} pack (once)...", file=sys.stderr)
    for pack in missing:
        report = import_pack(db_url, pack, progress=sys.stderr.isatty())
        print(f"jdlens: {report.message}", file=sys.stderr)


def cmd_serve(args: argparse.Namespace) -> int:
    from jdlens_server.grpc_api.jsonlog import configure_logging
    from jdlens_server.grpc_api.server import ServerConfig, check_can_listen, serve
    from jdlens_server.library.importer import stale_packs

    configure_logging()
    url = resolve_db_url(args.db)
    if args.library_refresh < 0:
        raise SystemExit("jdlens serve: --library-refresh must be >= 0 (0 turns the refresh off)")
    for flag, value in (
        ("--max-workers", args.max_workers),
        ("--stream-concurrency", args.stream_concurrency),
    ):
        if value < 1:
            raise SystemExit(f"jdlens serve: {flag} must be at least 1")
    if args.grace < 0:
        raise SystemExit("jdlens serve: --grace must be >= 0 seconds")
    check_can_listen(args.address)  # before the library load: a taken port fails in a second, not ten
    cpu = pipeline_cpu("serve")
    runtime = _runtime(
        url, embedder=args.embedder, backend=args.backend, refresh_s=args.library_refresh, huge_pages=True
    )
    if runtime.library.current().snapshot.is_empty:
        logging.getLogger("jdlens").warning(
            "the library is empty: run `jdlens library import esco`, then `jdlens library import tech`"
        )
    with runtime.factory() as session:
        for pack in stale_packs(session):
            logging.getLogger("jdlens").warning(pack.hint())
    config = ServerConfig(
        address=args.address,
        db_url=url,
        max_workers=args.max_workers,
        stream_concurrency=args.stream_concurrency,
        grace_seconds=args.grace,
        pipeline_cpu=cpu,
    )
    try:
        asyncio.run(serve(config, runtime.services()))
    finally:
        runtime.close()
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from jdlens_server.store.db import migrate

    url = resolve_db_url(args.db)
    migrate(url)
    print(f"database at {url} is at the latest schema")
    return 0


def cmd_library(args: argparse.Namespace) -> int:
    from jdlens_server.store.db import migrate

    url = resolve_db_url(args.db)
    migrate(url)
    if args.library_command == "import":
        from jdlens_server.library.importer import import_pack

        report = import_pack(url, args.pack, progress=not args.no_progress and sys.stderr.isatty())
        print(report.summary())
        return 0
    from sqlalchemy import func, select

    from jdlens_server.library.importer import stale_packs
    from jdlens_server.library.versions import current_version
    from jdlens_server.store.db import make_engine, session_factory
    from jdlens_server.store.models import KraRow, PackImportRow, RoleRow, SkillRow

    engine = make_engine(url)
    with session_factory(engine)() as session:
        version = current_version(session)
        counts = {
            "skills": session.scalar(select(func.count()).select_from(SkillRow)),
            "roles": session.scalar(select(func.count()).select_from(RoleRow)),
            "kras": session.scalar(select(func.count()).select_from(KraRow)),
        }
        packs = [f"{p.pack} {p.source_version}" for p in session.scalars(select(PackImportRow))]
        stale = stale_packs(session)
    engine.dispose()
    print(f"library version {version} at {url}")
    print(f"packs: {', '.join(packs) or 'none (run `jdlens library import esco`)'}")
    for name, count in counts.items():
        print(f"  {name}: {count}")
    for pack in stale:
        print(f"note: {pack.hint()}")
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from jdlens_server.render import analyze_files

    texts: list[tuple[str, str]] = []
    for path in args.files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            print(f"jdlens: cannot read {path}: {exc.strerror}", file=sys.stderr)
            return 2
        texts.append((str(path), raw.decode("utf-8", errors="replace")))
    from jdlens.v1 import common_pb2
    from jdlens_server.llm.provider import backend_from_name

    # Not given: the server's default (with --server) or $JDLENS_BACKEND / offline (embedded).
    backend = backend_from_name(args.backend) if args.backend else common_pb2.BACKEND_UNSPECIFIED
    if args.server:
        return analyze_files(
            args.server, texts, title=args.title, as_json=args.json, dry_run=args.dry_run, backend=backend
        )
    from jdlens_server.app import embedded_server

    url = resolve_db_url(args.db)
    _ensure_library(url)
    runtime = _runtime(url, backend=args.backend)
    try:
        with embedded_server(runtime) as target:
            return analyze_files(
                target, texts, title=args.title, as_json=args.json, dry_run=args.dry_run, backend=backend
            )
    finally:
        runtime.close()


def cmd_eval(args: argparse.Namespace) -> int:
    from jdlens_server.evaluation.run import MODEL_SETS, run_eval

    if not args.path.exists():
        print(f"jdlens: {args.path} does not exist", file=sys.stderr)
        return 2
    if args.limit < 0:
        print("jdlens: --limit must be >= 0 (0 = every item)", file=sys.stderr)
        return 2
    if args.set in MODEL_SETS:  # a file of the wrong kind fails now, not after the first-run import
        from jdlens_server.evaluation.roles import check_header

        check_header(args.path, args.set)
    if args.backend != "offline" and args.set not in MODEL_SETS:
        print(
            f"jdlens: --backend {args.backend} applies to the {' and '.join(MODEL_SETS)} sets",
            file=sys.stderr,
        )
        return 2
    url = resolve_db_url(args.db)
    _ensure_library(url)
    metrics = run_eval(args.set, args.path, url, limit=args.limit, backend=args.backend)
    if args.json:
        print(json.dumps(metrics))
    else:
        width = max(len(k) for k in metrics)
        print(f"{args.set}: {args.path}")
        for key, value in metrics.items():
            print(f"  {key:<{width}}  {value}")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from jdlens_server.batch import cmd_batch as run

    return run(args)


def cmd_bench(args: argparse.Namespace) -> int:
    from jdlens_server.bench import cmd_bench as run

    return run(args)


COMMANDS = {
    "serve": cmd_serve,
    "batch": cmd_batch,
    "bench": cmd_bench,
    "migrate": cmd_migrate,
    "library": cmd_library,
    "analyze": cmd_analyze,
    "eval": cmd_eval,
}


def database_failure(exc: BaseException, db: str | None) -> str | None:
    """What to tell the user when ``exc`` is the database refusing (unreachable server, a URL that
    does not parse, an unknown driver, a file that cannot be opened); None for anything else."""
    sa_exc = sys.modules.get("sqlalchemy.exc")  # not imported: the error cannot be SQLAlchemy's
    if sa_exc is None or not isinstance(exc, sa_exc.ArgumentError | sa_exc.OperationalError):
        return None
    from jdlens_server.errors import first_line

    shown = db or os.environ.get(DB_ENV_VAR) or "the default SQLite file"
    try:
        from sqlalchemy.engine import make_url

        shown = make_url(shown).render_as_string(hide_password=True)
    except Exception:  # the URL is what failed to parse: show it as given
        pass
    reason = first_line(getattr(exc, "orig", None) or exc)
    bad_url = isinstance(exc, sa_exc.ArgumentError)
    what = "is not a database URL jdlens can use" if bad_url else "cannot be used"
    return (
        f"the database {shown} {what}: {reason}\n"
        f"  set --db URL or ${DB_ENV_VAR} (sqlite:////path/to/file.sqlite, or "
        "postgresql://user@host:5432/dbname with that server running and reachable)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    calls_log = logging.getLogger("jdlens.grpc")
    level = calls_log.level
    if args.command != "serve" and not args.verbose:
        # The embedded server's per-call lines repeat what the command itself reports about each
        # failed call; its errors (a server-side fault) still show.
        calls_log.setLevel(logging.ERROR)
    from jdlens_server.errors import FailedPrecondition, JdlensError, SetupError

    try:
        return COMMANDS[args.command](args)
    except SetupError as exc:  # no key for anthropic, a library of another model, ...
        print(f"jdlens: {exc}", file=sys.stderr)
        return 2
    except JdlensError as exc:  # a domain refusal the command did not handle itself
        print(f"jdlens: {exc.message}", file=sys.stderr)
        if isinstance(exc, FailedPrecondition):
            for violation in exc.violations:
                if violation.description not in exc.message:
                    print(f"  {violation.description}", file=sys.stderr)
        return 2
    except Exception as exc:
        explained = database_failure(exc, getattr(args, "db", None))
        if explained is None:
            raise
        print(f"jdlens: {explained}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("jdlens: interrupted", file=sys.stderr)
        return 130
    finally:
        calls_log.setLevel(level)  # main() may run inside a larger process (tests, tools)


if __name__ == "__main__":
    sys.exit(main())
