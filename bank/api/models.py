from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    """A system that calls the API (the trading platform), with a signing secret.

    The secret is derived from ``settings.API_CLIENT_KEY``, the client id and
    ``secret_version``; the database keeps only its SHA-256 fingerprint, so a copy of the
    database alone does not let anyone sign requests. Rotating bumps the version.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    client_id = models.CharField(_("client id"), max_length=40, unique=True, editable=False)
    secret_version = models.PositiveIntegerField(_("secret version"), default=1, editable=False)
    secret_hash = models.CharField(_("secret fingerprint"), max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # DRF's permission checks look for these on request.user.
    @property
    def is_authenticated(self) -> bool:
        return True


class RequestNonce(models.Model):
    """A nonce seen in a signed request; a second request with it is a replay."""

    client = models.ForeignKey(
        ApiClient, verbose_name=_("API client"), on_delete=models.CASCADE, related_name="+"
    )
    nonce = models.CharField(_("nonce"), max_length=64)
    seen_at = models.DateTimeField(_("seen"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("request nonce")
        verbose_name_plural = _("request nonces")
        constraints = [
            models.UniqueConstraint(fields=["client", "nonce"], name="nonce_once_per_client"),
        ]

    def __str__(self) -> str:
        return self.nonce


class IdempotentRequest(models.Model):
    """The first answer to an API write, replayed to every request that repeats its key.

    One row per (client, key) under a unique constraint, written in the transaction of the
    write itself: a concurrent repeat waits on the index and then reads this answer. The
    request's fingerprint tells a repeat from another request under a used key. The
    answer's body is encrypted (it may hold an operation key); rows older than
    ``OPERATION_EXECUTE_WINDOW`` are purged.
    """

    client = models.ForeignKey(
        ApiClient, verbose_name=_("API client"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("idempotency key"), max_length=64)
    method = models.CharField(_("method"), max_length=8)
    path = models.TextField(_("path"))
    body_hash = models.CharField(_("body fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    response = models.TextField(
        _("answer"), help_text=_("The answer's JSON body, encrypted (Fernet).")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("API write answer")
        verbose_name_plural = _("API write answers")
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_per_client"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}] → {self.status_code}"
