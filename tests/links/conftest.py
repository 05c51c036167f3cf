import pytest

from hearth.links import buffer, redirector


@pytest.fixture(autouse=True)
def click_buffer(monkeypatch):
    """A buffer without its thread: tests run inside a transaction the thread could not see,
    so they flush on their own (in the test's thread and connection)."""
    test_buffer = buffer.ClickBuffer(background=False)
    monkeypatch.setattr(buffer, "_default", test_buffer)
    redirector._cache.clear()
    yield test_buffer
    redirector._cache.clear()
