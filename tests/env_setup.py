"""Test-run environment, loaded with `-p tests.env_setup` before Django reads its settings."""

import os
import tempfile
from pathlib import Path

# One data dir per run (SQLite test database, secret key, media) so runs never share state.
_data_dir = Path(os.environ.get("HEARTH_TEST_DATA_DIR") or tempfile.mkdtemp(prefix="hearth-test-"))
os.environ["HEARTH_DATA_DIR"] = str(_data_dir)
os.environ.setdefault(
    "HEARTH_SECRET_KEY", "test-secret-key-that-is-long-enough-for-django-0123456789"
)
os.environ.setdefault("HEARTH_EMAIL_URL", "locmem:")
os.environ.setdefault("HEARTH_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# Tests never touch the developer's own database: SQLite in the run's data dir, or the
# PostgreSQL named by HEARTH_TEST_DATABASE_URL (pytest-django creates test_<name> there).
os.environ.pop("HEARTH_DATABASE_URL", None)
if os.environ.get("HEARTH_TEST_DATABASE_URL"):
    os.environ["HEARTH_DATABASE_URL"] = os.environ["HEARTH_TEST_DATABASE_URL"]
