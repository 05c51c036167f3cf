"""Diagnostic background task: proves a worker runs what is queued, exactly once."""

from __future__ import annotations

import os

from django_tasks import task


@task(queue_name="default")
def append_marker(path: str, marker: str) -> str:
    """Append ``marker`` to ``path`` with O_APPEND (atomic for short writes across processes).

    Used by `hearth check --worker` and by the tests counting task executions.
    """
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{marker}\n".encode())
    finally:
        os.close(fd)
    return marker
