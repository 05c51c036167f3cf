"""Two worker processes share one database and run 1,000 tasks, each exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hearth.system.tasks import append_marker

TASKS = 1000
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    user = db.get("USER") or "postgres"
    return f"postgresql://{user}@{host}:{port}/{db['NAME']}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_workers_run_each_task_exactly_once(tmp_path):
    marks = tmp_path / "marks.txt"
    for n in range(TASKS):
        append_marker.enqueue(str(marks), str(n))
    env = {
        **os.environ,
        "HEARTH_DATABASE_URL": _database_url(),
        "HEARTH_DATA_DIR": str(settings.DATA_DIR),
        "PYTHONPATH": str(ROOT),
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "hearth", "worker", "--batch", "--interval", "0.05"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=540)[0].decode() for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    counts = Counter(marks.read_text().split())
    assert len(counts) == TASKS
    assert set(counts.values()) == {1}, "a task ran more than once"
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == TASKS
    runners = Counter(r.worker_ids[0] for r in DBTaskResult.objects.all())
    assert len(runners) == 2, f"both workers should have taken tasks: {runners}"
