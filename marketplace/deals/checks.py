"""Start-up check: the deal's windows must fit in the bank's longest hold."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from .timing import BANK_HOLD_LIMIT, hold_span


@register()
def hold_fits_the_bank(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    span = hold_span()
    if span <= BANK_HOLD_LIMIT:
        return []
    return [
        Error(
            f"The deal's windows add up to {span} (shipping + confirmation + dispute limit "
            f"+ margin), longer than the bank holds money ({BANK_HOLD_LIMIT}).",
            hint="Shorten DEAL_SHIPPING_WINDOW, DEAL_CONFIRMATION_WINDOW, DEAL_DISPUTE_LIMIT "
            "or DEAL_HOLD_MARGIN.",
            id="deals.E001",
        )
    ]
