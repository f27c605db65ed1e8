"""The hold's lifecycle: pending until exactly one of captured, voided or expired.

``holds.services.hold_transition`` is the only writer of ``Hold.status``; it checks this
table under the hold's row lock, so of a capture, a void and an expiry racing on one hold
exactly one moves it and the others find it already resolved.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from paylib.lifecycle import Lifecycle


class HoldStatus(models.TextChoices):
    PENDING = "pending", _("Held")
    CAPTURED = "captured", _("Captured")
    VOIDED = "voided", _("Released")
    EXPIRED = "expired", _("Expired")


HOLD = Lifecycle(
    name="hold",
    statuses=HoldStatus,
    initial=HoldStatus.PENDING,
    moves={
        # The platform takes the money (all of it or part; the rest goes back at once).
        (HoldStatus.PENDING, HoldStatus.CAPTURED): frozenset({"client"}),
        # The platform lets the money go back to the payer.
        (HoldStatus.PENDING, HoldStatus.VOIDED): frozenset({"client"}),
        # Its time ran out: the money goes back, and it can no longer be captured.
        (HoldStatus.PENDING, HoldStatus.EXPIRED): frozenset({"system"}),
    },
    final=frozenset({HoldStatus.CAPTURED, HoldStatus.VOIDED, HoldStatus.EXPIRED}),
)
