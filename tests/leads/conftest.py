import pytest

from hearth.strategy.models import Project


@pytest.fixture
def project(workspace):
    return Project.objects.create(workspace=workspace, name="Coach", currency="EUR")


@pytest.fixture
def write(tmp_path):
    def _write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text)
        return path

    return _write
