"""Where media bytes live. A small interface so an object store can replace the disk later.

The default keeps files under ``settings.MEDIA_ROOT`` in content-addressed names; nothing is
served by the web server directly: pages stream files after the tenant check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class MediaStorage(Protocol):
    def save(self, name: str, data: bytes) -> str: ...

    def read(self, name: str) -> bytes: ...

    def delete(self, name: str) -> None: ...


class DiskStorage:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"{name!r} escapes the media directory")
        return path

    def save(self, name: str, data: bytes) -> str:
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic: a reader never sees half a file
        return name

    def read(self, name: str) -> bytes:
        return self._path(name).read_bytes()

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)


def default_storage() -> MediaStorage:
    from django.conf import settings

    return DiskStorage(Path(settings.MEDIA_ROOT))
