import pytest

from hearth.kit.config import ConfigError, load_config


def test_defaults_are_embedded_sqlite_with_generated_keys(tmp_path):
    config = load_config({"HEARTH_DATA_DIR": str(tmp_path)})
    assert config.embedded and config.database_url.endswith("hearth.sqlite3")
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
    again = load_config({"HEARTH_DATA_DIR": str(tmp_path)})
    assert again.secret_key == config.secret_key and again.encryption_keys == config.encryption_keys


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HEARTH_DATABASE_URL", "mysql://x/y"),
        ("HEARTH_ENCRYPTION_KEYS", "not-a-key"),
        ("HEARTH_TIME_ZONE", "Mars/Olympus"),
        ("HEARTH_SECRET_KEY", "short"),
        ("HEARTH_DEBUG", "maybe"),
        ("HEARTH_EMAIL_URL", "pigeon://coop"),
        ("HEARTH_BASE_URL", "ftp://x"),
    ],
)
def test_a_bad_value_names_its_variable(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        load_config({"HEARTH_DATA_DIR": str(tmp_path), name: value})


def test_postgres_url_is_not_embedded(tmp_path):
    config = load_config(
        {"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_DATABASE_URL": "postgresql://u@h/db"}
    )
    assert not config.embedded


def test_cli_prints_one_clear_line_for_bad_config(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "HEARTH_DATA_DIR": str(tmp_path), "HEARTH_TIME_ZONE": "Nowhere/Land"}
    done = subprocess.run(
        [sys.executable, "-m", "hearth", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "hearth: configuration error: HEARTH_TIME_ZONE: unknown time zone 'Nowhere/Land'"
    ]
