"""Publishing engine benchmark: lateness and throughput of real `hearth worker` processes.

N variants (default 5,000) fall due within one minute across C sandbox channels (default
50). Every sandbox account allows ``posts_per_window`` posts per ``window_seconds`` and every
ChannelAccount paces itself to one send per ``min_interval_seconds``, so pacing alone makes
posts late: the *rate-limit floor* is the lateness of each channel's last post when every
channel sends as early as both limits allow. The bench measures, from the variant rows,
lateness = published_at − scheduled_at (p50, p99, max) and throughput (posts/s), and prints
them beside the sandbox's own ceiling (sum of per-account ceilings, from ``/_stats``) and
beside the floor. Target: p99 within 5 s of the floor with 2 workers on PostgreSQL.

It also checks, and prints, that every variant went out exactly once: the sandbox holds
exactly N posts and no text twice (``duplicate_texts == 0``).

Every run is real processes on a fresh database: the sandbox served on loopback
(``python -m hearth.sandbox``), ``python -m hearth migrate``, then 1 or 2 ``hearth worker``
processes. Each run happens in a child process of this script (Django settings are read once
per process), in its own session, with a timeout; the child stops its workers and sandbox in
``finally`` and the parent kills the child's process group if it overruns.

    .venv/bin/python bench/publishing_bench.py                 # full: 5,000 / 50, SQLite + PG
    .venv/bin/python bench/publishing_bench.py --scale 0.1     # quick: 500 / 10
    .venv/bin/python bench/publishing_bench.py --sqlite-only --workers 1
    .venv/bin/python bench/publishing_bench.py --postgres-only --workers 2

PostgreSQL: 127.0.0.1:5432, user postgres, trust auth (override with ``--pg-url``); a fresh
database ``hearth_bench_<pid>_<n>`` per run, dropped at the end of the run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULT_PREFIX = "BENCH-RESULT "
TARGET_GAP_SECONDS = 5.0


# --- pure: the floor the limits imply, and summaries ----------------------------------------


def earliest_sends(
    scheduled: np.ndarray, *, interval: float, per_window: int, window: float
) -> np.ndarray:
    """Earliest send time of each of one channel's posts (seconds, sorted by schedule).

    A post cannot go before it is due, before ``interval`` after the channel's previous
    send (Hearth's pacing), nor before ``window`` after the send ``per_window`` posts back
    (the network's sliding-window limit).
    """
    sends = np.empty_like(scheduled)
    for k, due in enumerate(scheduled):
        t = due
        if k >= 1:
            t = max(t, sends[k - 1] + interval)
        if k >= per_window:
            t = max(t, sends[k - per_window] + window)
        sends[k] = t
    return sends


def pacing_floor(
    offsets: np.ndarray, channel_of: np.ndarray, *, interval: float, per_window: int, window: float
) -> dict[str, float]:
    """Ideal lateness per variant; ``floor`` = the latest channel's last post."""
    ideal = np.empty_like(offsets)
    last_post: list[float] = []
    for channel in np.unique(channel_of):
        idx = np.flatnonzero(channel_of == channel)
        idx = idx[np.argsort(offsets[idx], kind="stable")]
        sends = earliest_sends(
            offsets[idx], interval=interval, per_window=per_window, window=window
        )
        ideal[idx] = sends - offsets[idx]
        last_post.append(float(ideal[idx[-1]]))
    makespan = float(np.max(offsets + ideal) - np.min(offsets))
    return {
        "floor": max(last_post),
        "ideal_p50": float(np.percentile(ideal, 50)),
        "ideal_p99": float(np.percentile(ideal, 99)),
        "ideal_throughput": len(offsets) / makespan if makespan > 0 else float("inf"),
    }


def schedule_offsets(variants: int, channels: int, span: float) -> tuple[np.ndarray, np.ndarray]:
    """Variant j is due at j·span/N, channels taking turns: an even minute for every channel."""
    j = np.arange(variants)
    return j * (span / variants), j % channels


# --- child: one run inside Django ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, seconds: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


def _stop(process: subprocess.Popen, grace: float = 20) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _seed(admin, args, offsets, channel_of, far_future: datetime) -> list[int]:
    """Workspace, project, C sandbox channels, N scheduled variants (due far in the future
    until released, so worker start-up is not counted). Returns variant ids in offset order."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from hearth.channels.models import ChannelAccount
    from hearth.content.models import Channel, ContentItem, Variant
    from hearth.strategy.models import Project
    from hearth.workspaces.models import Membership, Workspace

    with transaction.atomic():
        owner = get_user_model().objects.create_user(username="bench", email="bench@example.com")
        workspace = Workspace.objects.create(name="Bench", slug="bench")
        Membership.objects.create(workspace=workspace, user=owner, role="owner")
        project = Project.objects.create(workspace=workspace, name="Publishing bench")
        channels = []
        for c in range(args.channels):
            channel = Channel.objects.create(project=project, network="sandbox", name=f"Box {c}")
            ChannelAccount.objects.create(
                channel=channel,
                credentials=admin.create_account(
                    f"bench{c}",
                    posts_per_window=args.posts_per_window,
                    window_seconds=args.window_seconds,
                    token_ttl_seconds=6 * 3600,
                ),
                state=ChannelAccount.State.HEALTHY,
                last_checked_at=timezone.now(),
                min_interval_seconds=args.min_interval,
            )
            channels.append(channel)
        items = ContentItem.objects.bulk_create(
            [
                ContentItem(project=project, title=f"Bench {j}", master_text="", author=owner)
                for j in range(len(offsets))
            ],
            batch_size=500,
        )
        variants = Variant.objects.bulk_create(
            [
                Variant(
                    item=item,
                    channel=channels[int(channel_of[j])],
                    text=f"Bench post {j} on channel {int(channel_of[j])}",
                    status=Variant.Status.SCHEDULED,
                    scheduled_at=far_future,
                )
                for j, item in enumerate(items)
            ],
            batch_size=500,
        )
    return [v.pk for v in variants]


def _release(variant_ids: list[int], offsets: np.ndarray, start: datetime) -> None:
    from django.db import transaction

    from hearth.content.models import Variant

    rows = [
        Variant(pk=pk, scheduled_at=start + timedelta(seconds=float(offset)))
        for pk, offset in zip(variant_ids, offsets, strict=True)
    ]
    with transaction.atomic():
        Variant.objects.bulk_update(rows, ["scheduled_at"], batch_size=500)


def run_one(args) -> dict:
    """One configuration: sandbox + N workers on the database named by HEARTH_DATABASE_URL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    import django

    django.setup()
    import httpx
    from django.db.models import Count
    from django.utils import timezone

    from hearth.content.models import Variant
    from hearth.publishing.models import Attempt
    from hearth.sandbox.admin import SandboxAdmin
    from hearth.system.models import WorkerHeartbeat

    S = Variant.Status
    logs = Path(args.log_dir)
    offsets, channel_of = schedule_offsets(args.variants, args.channels, args.span)
    floor = pacing_floor(
        offsets,
        channel_of,
        interval=args.min_interval,
        per_window=args.posts_per_window,
        window=args.window_seconds,
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    port = _free_port()
    processes: list[subprocess.Popen] = []

    def spawn(name: str, *argv: str) -> subprocess.Popen:
        with open(logs / f"{name}.log", "w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", *argv], cwd=ROOT, env=env, stdout=log, stderr=log
            )
        processes.append(process)
        return process

    try:
        spawn("sandbox", "hearth.sandbox", "--port", str(port), "--db", str(logs / "sbx.db"))
        base = f"http://127.0.0.1:{port}"
        _wait_http(base + "/_health")
        admin = SandboxAdmin(httpx.Client(timeout=30), base)
        t = time.monotonic()
        ids = _seed(admin, args, offsets, channel_of, timezone.now() + timedelta(days=1))
        seed_seconds = time.monotonic() - t

        for w in range(args.workers):
            spawn(f"worker{w}", "hearth", "worker")
        deadline = time.monotonic() + 90
        while WorkerHeartbeat.objects.count() < args.workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError(f"workers did not start; see {logs}/worker*.log")
            time.sleep(0.2)
        time.sleep(2)  # the publishing thread starts right after the first heartbeat

        start = timezone.now() + timedelta(seconds=1)
        _release(ids, offsets, start)
        deadline = time.monotonic() + args.timeout
        next_print = time.monotonic() + 10
        while time.monotonic() < deadline:
            open_ = Variant.objects.filter(status__in=[S.SCHEDULED, S.PUBLISHING]).count()
            if open_ == 0:
                break
            if time.monotonic() >= next_print:
                next_print += 10
                print(f"  … {open_} still to publish", file=sys.stderr, flush=True)
            time.sleep(0.5)
        timed_out = time.monotonic() >= deadline
        for process in processes[1:]:  # the workers; the sandbox must answer /_stats first
            _stop(process)
        stats = admin.stats()["totals"]
        # Other work on the machine slows every process alike; say how busy it was.
        load = os.getloadavg()[1]
        print(f"  5-min load average at the end: {load:.1f}", file=sys.stderr, flush=True)
    finally:
        for process in reversed(processes):
            _stop(process)

    rows = list(
        Variant.objects.filter(pk__in=ids).values_list(
            "status", "scheduled_at", "published_at", "channel_id"
        )
    )
    statuses: dict[str, int] = {}
    for status, *_ in rows:
        statuses[status] = statuses.get(status, 0) + 1
    done = [(s, p, c) for status, s, p, c in rows if status == S.PUBLISHED and p is not None]
    lateness = np.array([(p - s).total_seconds() for s, p, _ in done])
    first_due = min(s for _, s, _, _ in rows)
    makespan = max(p for _, p, _ in done) - first_due if done else timedelta(0)
    # Mean gap between one channel's consecutive sends, over channels: the pacing allows 1·interval.
    gaps = []
    for channel in {c for *_, c in done}:
        times = sorted(p for _, p, c in done if c == channel)
        if len(times) > 1:
            gaps.append((times[-1] - times[0]).total_seconds() / (len(times) - 1))
    errors = dict(
        Attempt.objects.exclude(error_class="")
        .values_list("error_class")
        .annotate(n=Count("pk"))
        .values_list("error_class", "n")
    )
    return {
        "backend": "postgresql" if "postgres" in os.environ["HEARTH_DATABASE_URL"] else "sqlite",
        "workers": args.workers,
        "variants": args.variants,
        "channels": args.channels,
        "seed_seconds": seed_seconds,
        "timed_out": timed_out,
        "statuses": statuses,
        "published": len(done),
        "p50": float(np.percentile(lateness, 50)) if len(done) else None,
        "p99": float(np.percentile(lateness, 99)) if len(done) else None,
        "max": float(lateness.max()) if len(done) else None,
        "throughput": len(done) / makespan.total_seconds() if done else 0.0,
        "mean_channel_gap": float(np.median(gaps)) if gaps else None,
        "attempts": Attempt.objects.count(),
        "attempt_errors": errors,
        "sandbox": stats,
        "load_average": load,
        **floor,
    }


# --- parent: fresh databases, timeouts, the table -------------------------------------------


def _pg_admin(pg_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_url.rstrip("/") + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _run_child(argv: list[str], env: dict[str, str], timeout: float) -> dict | None:
    """Run one configuration in its own session; kill the whole group if it overruns."""
    child = subprocess.Popen(
        [sys.executable, __file__, *argv],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  run exceeded {timeout:.0f} s: stopping it", file=sys.stderr)
        os.killpg(child.pid, signal.SIGTERM)
        try:
            child.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
        return None
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    for line in out.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    print(f"  run failed (exit {child.returncode})", file=sys.stderr)
    return None


def _one_configuration(args, backend: str, workers: int, n: int, base: Path) -> dict | None:
    log_dir = base / f"{backend}-{workers}w"
    log_dir.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HEARTH_DATA_DIR": str(base / "data")}
    db_name = f"hearth_bench_{os.getpid()}_{n}"
    if backend == "sqlite":
        env["HEARTH_DATABASE_URL"] = f"sqlite:///{log_dir / 'hearth.sqlite3'}"
    else:
        env["HEARTH_DATABASE_URL"] = f"{args.pg_url.rstrip('/')}/{db_name}"
        _pg_admin(args.pg_url, f'CREATE DATABASE "{db_name}"')
    try:
        subprocess.run(
            [sys.executable, "-m", "hearth", "migrate"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
        argv = [
            "--run-one",
            "--log-dir",
            str(log_dir),
            "--workers",
            str(workers),
            *(f"--{k.replace('_', '-')}={getattr(args, k)}" for k in _RUN_KNOBS),
        ]
        return _run_child(argv, env, args.timeout + 180)
    finally:
        if backend == "postgresql":
            _pg_admin(args.pg_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


_RUN_KNOBS = (
    "variants",
    "channels",
    "span",
    "posts_per_window",
    "window_seconds",
    "min_interval",
    "timeout",
)


def _print_table(results: list[dict]) -> None:
    if not results:
        return
    r0 = results[0]
    ceiling = r0["sandbox"]["ceiling_per_minute"] / 60
    print()
    print(
        f"{r0['variants']} variants due within one minute on {r0['channels']} sandbox channels; "
        f"sandbox ceiling {ceiling:.1f} posts/s (sum of per-account ceilings); "
        f"ideal (limits only): p50 {r0['ideal_p50']:.1f} s, p99 {r0['ideal_p99']:.1f} s, "
        f"{r0['ideal_throughput']:.1f} posts/s; rate-limit floor {r0['floor']:.1f} s "
        "(lateness of the last post of each channel)"
    )
    header = (
        f"{'database':<11}{'workers':>8}{'p50 s':>8}{'p99 s':>8}{'max s':>8}{'floor s':>9}"
        f"{'p99-floor':>10}{'posts/s':>9}{'ceiling':>9}{'gap/ch s':>9}{'429s':>6}"
        f"{'posts':>7}{'dups':>6}{'load':>6}  once?"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        box = r["sandbox"]
        once = (
            box["posts"] == r["variants"]
            and box["duplicate_texts"] == 0
            and r["published"] == r["variants"]
        )
        print(
            f"{r['backend']:<11}{r['workers']:>8}{r['p50']:>8.1f}{r['p99']:>8.1f}{r['max']:>8.1f}"
            f"{r['floor']:>9.1f}{r['p99'] - r['floor']:>+10.1f}{r['throughput']:>9.1f}"
            f"{box['ceiling_per_minute'] / 60:>9.1f}{r['mean_channel_gap']:>9.2f}"
            f"{box['rate_limited']:>6}{box['posts']:>7}{box['duplicate_texts']:>6}"
            f"{r.get('load_average', float('nan')):>6.1f}  "
            f"{'yes' if once else 'NO ' + json.dumps(r['statuses'])}"
            f"{'  (timed out)' if r['timed_out'] else ''}"
        )
    for r in results:
        if r["backend"] == "postgresql" and r["workers"] == 2:
            gap = r["p99"] - r["floor"]
            verdict = "met" if gap <= TARGET_GAP_SECONDS else "NOT met"
            print(
                f"target (PostgreSQL, 2 workers): p99 {r['p99']:.1f} s vs floor {r['floor']:.1f} s"
                f" → gap {gap:+.1f} s; within {TARGET_GAP_SECONDS:.0f} s: {verdict}"
            )
    for r in results:
        if r["attempt_errors"]:
            print(f"attempt errors {r['backend']}/{r['workers']}w: {r['attempt_errors']}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--variants", type=int, default=None, help="default 5000 × scale")
    p.add_argument("--channels", type=int, default=None, help="default 50 × scale, at least 10")
    p.add_argument("--scale", type=float, default=1.0, help="0.1: 500 variants, 10 channels")
    p.add_argument("--span", type=float, default=60.0, help="seconds over which posts fall due")
    p.add_argument("--posts-per-window", type=int, default=60)
    p.add_argument("--window-seconds", type=int, default=60)
    p.add_argument("--min-interval", type=float, default=1.0, help="ChannelAccount pacing")
    p.add_argument("--workers", type=int, choices=(1, 2), action="append", help="default 1 and 2")
    p.add_argument("--sqlite-only", action="store_true")
    p.add_argument("--postgres-only", action="store_true")
    p.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument("--timeout", type=float, default=900, help="seconds per run, once released")
    p.add_argument("--keep", action="store_true", help="keep /tmp logs and SQLite files")
    p.add_argument("--run-one", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--log-dir", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.variants = args.variants or round(5000 * args.scale)
    # At least 10 channels, so a quick run still spreads posts across channels.
    args.channels = args.channels or max(10, round(50 * args.scale))

    if args.run_one:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
        args.workers = args.workers[0]
        print(RESULT_PREFIX + json.dumps(run_one(args)), flush=True)
        return 0

    backends = ["sqlite"] if args.sqlite_only else ["sqlite", "postgresql"]
    if args.postgres_only:
        backends = ["postgresql"]
    if args.sqlite_only:
        print("PostgreSQL skipped (--sqlite-only).")
    per_channel = args.variants / args.channels
    print(
        f"{args.variants} variants over {args.span:.0f} s on {args.channels} channels "
        f"({per_channel:.0f} each); sandbox limit {args.posts_per_window}/{args.window_seconds} s"
        f" per account; pacing {args.min_interval:.2f} s per channel"
    )
    base = Path(tempfile.mkdtemp(prefix="hearth-pubbench-", dir="/tmp"))
    print(f"logs under {base}")
    results = []
    n = 0
    for backend in backends:
        for workers in args.workers or [1, 2]:
            n += 1
            print(f"run {n}: {backend}, {workers} worker(s)…", flush=True)
            t = time.monotonic()
            result = _one_configuration(args, backend, workers, n, base)
            if result:
                results.append(result)
                print(
                    f"  done in {time.monotonic() - t:.0f} s: p99 {result['p99']:.1f} s, "
                    f"{result['throughput']:.1f} posts/s",
                    flush=True,
                )
    _print_table(results)
    if args.keep or len(results) < n:
        print(f"logs kept under {base}")
    else:
        import shutil

        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
