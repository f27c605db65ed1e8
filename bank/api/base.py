"""The base of every view of the API: a write is one transaction, and moves money last."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from rest_framework.permissions import SAFE_METHODS
from rest_framework.views import APIView

from ledger.errors import PostingRefused
from ledger.services import postings_last


class ApiView(APIView):
    """A write runs in one transaction, from the signature's nonce to the stored answer
    (``api.idempotency``), and its postings are written to the accounts at the end of it
    (``ledger.services.postings_last``): one commit per write, and an account that every
    payment credits is locked only for the ledger's writes and the commit.

    When the ledger refuses a posting at that end, everything of the try is rolled back
    (the nonce, the stored answer, the operation's new state) and the request runs once
    more as an ordinary transaction, in which the posting is refused where it is made and
    the view answers as it answers any refusal. Reads keep autocommit.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method in SAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        try:
            with transaction.atomic(), postings_last():
                return super().dispatch(request, *args, **kwargs)
        except PostingRefused:
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
