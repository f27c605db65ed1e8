"""Where files that only some people may see are kept: the ``private`` storage.

Photos of a deal's messages and disputes are evidence between a buyer, a seller and staff.
They are never in the public media storage, which the web server (or a public bucket)
serves to anyone who knows the address: they live in ``STORAGES["private"]`` (a directory
outside ``MEDIA_ROOT`` by default, a private bucket in production) and are read only
through a view that checks who is asking (``conversations:photo``).

A file is written when its row is saved, inside the transaction, and a rollback does not
take it back: ``removed_if_rolled_back`` around the outermost transaction deletes the
files written in it (``written``) when it fails, so no file outlives its row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

PRIVATE = "private"
logger = logging.getLogger(__name__)
_written: ContextVar[list[tuple[Storage, str]] | None] = ContextVar("written", default=None)


class _PrivateStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = storages[PRIVATE]


_private = _PrivateStorage()


def private_storage() -> Storage:
    """The storage of private files; a callable, so that migrations name it, not its
    settings, and tests that change ``STORAGES`` get the new one."""
    return _private  # type: ignore[return-value]


@receiver(setting_changed)
def _storages_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        _private._wrapped = empty  # type: ignore[assignment]


def written(storage: Storage, name: str) -> None:
    """Note a file just stored by the transaction around it (if one is watched)."""
    files = _written.get()
    if files is not None:
        files.append((storage, name))


@contextmanager
def removed_if_rolled_back() -> Iterator[None]:
    """Delete the files written inside the block if the block fails (put it around the
    transaction: an exception out of ``atomic`` is a rollback). Nested, an inner block
    that succeeds hands its files to the outer one."""
    outer = _written.get()
    mine: list[tuple[Storage, str]] = []
    token = _written.set(mine)
    try:
        yield
    except BaseException:
        for storage, name in mine:
            try:
                storage.delete(name)
            except Exception:  # the sweep of orphans is the last resort
                logger.exception("Could not delete %s after a rollback", name)
        raise
    finally:
        _written.reset(token)
    if outer is not None:
        outer.extend(mine)
