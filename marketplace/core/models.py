from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateLimitBucket(models.Model):
    """The recent requests of one kind from one source (an address, a client IP).

    ``key`` is a keyed hash of the kind and the source, so that the table holds no email
    addresses or IPs in clear; ``hits`` are the times of the requests still in the window.
    """

    key = models.CharField(_("key"), max_length=64, unique=True)
    hits = models.JSONField(_("hits"), default=list)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        verbose_name = _("rate limit bucket")
        verbose_name_plural = _("rate limit buckets")

    def __str__(self) -> str:
        return f"{self.key[:12]}… ({len(self.hits)})"
