"""Files a build writes beside the index for each of its versions (the keyword index,
the reader snapshot): where they go, how one is replaced whole, and removing the
other versions' ones (readers hold theirs in memory)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def version_dir(index_dir: Path, kind: str, tag: str) -> Path:
    """Where the ``kind`` files of build version ``tag`` (name@version) are saved."""
    return index_dir / kind / tag.replace("@", "-v")


@contextmanager
def written_whole(target: Path) -> Iterator[Path]:
    """An empty folder beside ``target`` to write into. When the block ends it replaces
    ``target`` (renamed, so a reader never sees half of it); when the block fails it is
    removed and the error goes on."""
    part = target.with_name(f"{target.name}.{os.getpid()}.part")
    shutil.rmtree(part, ignore_errors=True)
    try:
        part.mkdir(parents=True)
        yield part
        shutil.rmtree(target, ignore_errors=True)
        part.rename(target)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise


def remove_other_versions(target: Path) -> None:
    """Remove the folders of the other versions beside ``target`` (not ones being written)."""
    for old in target.parent.iterdir():
        if old != target and not old.name.endswith(".part"):
            shutil.rmtree(old, ignore_errors=True)
