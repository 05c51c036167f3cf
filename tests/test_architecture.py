"""Architecture rules as tests: import directions and import-time behaviour."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "hearth"
DOMAIN_APPS = {
    p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name != "kit"
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((SRC / "kit").glob("*.py")), ids=lambda p: p.name)
def test_kit_imports_no_domain_app(path):
    bad = {
        n for n in _imports(path) if n.split(".")[:2][-1] in DOMAIN_APPS and n.startswith("hearth.")
    }
    assert not bad, f"kit/{path.name} imports domain apps: {bad}"


PURE_PACKAGES = [
    "hearth.kit.text_units",
    "hearth.kit.richtext",
    "hearth.connectors.rules",
    "hearth.strategy.fit",
    "hearth.strategy.smart",
    "hearth.strategy.forecast",
    "hearth.leads.analytics",
    "hearth.metrics.kpi",
    "hearth.connectors.registry",
]


@pytest.mark.parametrize("module", PURE_PACKAGES)
def test_pure_modules_import_without_django_settings(module):
    # `import hearth.…` does nothing: no settings read, no connection, no Django needed.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = f"import {module}"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_services_do_not_import_http_layers():
    offenders = []
    for path in SRC.glob("*/services.py"):
        http = {
            n for n in _imports(path) if n.startswith(("django.http", "django.shortcuts", "ninja"))
        }
        if http:
            offenders.append(f"{path.parent.name}: {sorted(http)}")
    assert not offenders, offenders
