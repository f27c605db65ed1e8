"""The messages' part of the deal page, for ``deals.views.deal_detail``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from deals.models import Deal

from .forms import DealMessageForm
from .selectors import deal_messages

#: Where a refused message form waits for the deal page to show it again with its errors.
FORM_ATTRIBUTE = "deal_message_form"


def conversation_context(*, request: HttpRequest, deal: Deal) -> dict[str, Any]:
    """The deal's messages and the form to write one (the refused one, if it was)."""
    form = getattr(request, FORM_ATTRIBUTE, None) or DealMessageForm()
    return {"deal_messages": deal_messages(deal=deal), "message_form": form}
