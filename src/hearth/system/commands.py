"""Operational ``hearth`` subcommands: serve, worker, migrate, createadmin, demo, check, rotate-keys."""

from __future__ import annotations

import argparse
import getpass
import os
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the web app (and, embedded, a worker)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start a background worker beside the server (default on SQLite: start one)",
    )
    p.set_defaults(handler=serve)

    p = sub.add_parser("worker", help="run a background-task worker")
    p.add_argument("--queues", default="*", help="comma-separated queue names, * for all")
    p.add_argument("--interval", type=float, default=0.5, help="seconds between polls when idle")
    p.add_argument("--batch", action="store_true", help="run what is queued, then exit")
    p.add_argument("--max-tasks", type=int, default=None)
    p.add_argument(
        "--no-publishing",
        action="store_true",
        help="do not run the publishing engine in this worker",
    )
    p.set_defaults(handler=worker)

    p = sub.add_parser("migrate", help="create or update the database tables")
    p.set_defaults(handler=migrate)

    p = sub.add_parser("createadmin", help="create a superuser who owns a first workspace")
    p.add_argument("--username", required=True)
    p.add_argument("--email", default="")
    p.add_argument("--password-env", help="read the password from this environment variable")
    p.add_argument("--workspace", help="also create a workspace with this name, owned by them")
    p.set_defaults(handler=createadmin)

    p = sub.add_parser("demo", help="create the demo workspace and serve it")
    p.add_argument("--no-serve", action="store_true", help="only build the demo data")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(handler=demo, no_worker=False)

    p = sub.add_parser("check", help="check the configuration, database and migrations")
    p.set_defaults(handler=check)

    p = sub.add_parser("rotate-keys", help="re-encrypt every secret under the first key")
    p.set_defaults(handler=rotate_keys)


def serve(args) -> int:
    import uvicorn
    from django.conf import settings

    from hearth.cli import spawn

    worker_process = None
    if settings.HEARTH_EMBEDDED and not args.no_worker:
        # One command is a working install: the embedded mode runs its worker alongside.
        worker_process = spawn("worker")
    try:
        uvicorn.run("hearth.asgi:application", host=args.host, port=args.port, log_level="info")
    finally:
        if worker_process is not None:
            worker_process.terminate()
            worker_process.wait(timeout=30)
    return 0


def worker(args) -> int:
    from hearth.system.worker import run_worker

    run_worker(
        queues=args.queues, interval=args.interval, batch=args.batch, max_tasks=args.max_tasks
    )
    return 0


def migrate(args) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0


def createadmin(args) -> int:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from hearth.workspaces.services import create_workspace

    password = os.environ.get(args.password_env, "") if args.password_env else ""
    if not password:
        password = getpass.getpass("Password: ")
    if len(password) < 8:
        print("hearth: the password must have at least 8 characters", file=sys.stderr)
        return 2
    User = get_user_model()
    if User.objects.filter(username=args.username).exists():
        print(f"hearth: user {args.username!r} already exists", file=sys.stderr)
        return 2
    with transaction.atomic():
        user = User.objects.create_superuser(args.username, args.email, password)
        if args.workspace:
            create_workspace(user, args.workspace)
    print(f"created {args.username}")
    return 0


def _start_sandbox():
    """The demo's channels publish to Hearth's own fake network; start it if it is not up."""
    import time
    from urllib.parse import urlsplit

    import httpx
    from django.conf import settings

    from hearth.cli import spawn

    url = settings.HEARTH_SANDBOX_URL
    try:
        httpx.get(f"{url}/_stats", timeout=1)
        return None
    except httpx.HTTPError:
        pass
    parts = urlsplit(url)
    db = settings.DATA_DIR / "sandbox.sqlite3"
    process = spawn(
        "--host",
        parts.hostname,
        "--port",
        str(parts.port or 80),
        "--db",
        str(db),
        module="hearth.sandbox",
    )
    for _ in range(50):
        try:
            httpx.get(f"{url}/_stats", timeout=1)
            print(f"Sandbox network (demo only, nothing leaves this machine): {url}")
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    print("hearth: the sandbox network did not start; the demo's sandbox channel stays unconnected")
    return process


def demo(args) -> int:
    from django.core.management import call_command

    from hearth.system.demo import build_demo

    call_command("migrate", interactive=False, verbosity=0)
    sandbox = None if args.no_serve else _start_sandbox()
    login = build_demo()
    print(
        f"Demo ready: http://{args.host}:{args.port}/  user: {login.username}  password: {login.password}"
    )
    if args.no_serve:
        return 0
    try:
        return serve(args)
    finally:
        if sandbox is not None:
            sandbox.terminate()


def check(args) -> int:
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.utils import DatabaseError

    try:
        call_command("check", fail_level="ERROR")
    except SystemCheckError as exc:
        print(f"hearth: {exc}", file=sys.stderr)
        return 1
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        print(f"hearth: database unreachable: {exc}", file=sys.stderr)
        return 1
    if pending:
        print(
            f"hearth: {len(pending)} migrations not applied; run `hearth migrate`", file=sys.stderr
        )
        return 1
    from hearth.system.secrets import unreadable_secrets

    broken = unreadable_secrets()
    if broken:
        print(
            f"hearth: {broken} stored secrets cannot be decrypted with HEARTH_ENCRYPTION_KEYS",
            file=sys.stderr,
        )
        return 1
    print(f"ok: database {connection.vendor}, migrations applied, secrets readable")
    return 0


def rotate_keys(args) -> int:
    from hearth.system.secrets import rotate_all

    count = rotate_all()
    print(f"re-encrypted {count} secrets under the first key")
    return 0
