"""Where files that only some people may see are kept: the ``private`` storage.

Photos of a deal's messages and disputes are evidence between a buyer, a seller and staff.
They are never in the public media storage, which the web server (or a public bucket)
serves to anyone who knows the address: they live in ``STORAGES["private"]`` (a directory
outside ``MEDIA_ROOT`` by default, a private bucket prefix in production) and are read
only through a view that checks who is asking (``conversations:photo``).
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

PRIVATE = "private"


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
    if setting in {"STORAGES", "PRIVATE_MEDIA_ROOT"}:
        _private._wrapped = empty  # type: ignore[assignment]
