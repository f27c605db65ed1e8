"""The hold calls of the API: request a hold (a code to the payer, like a payment), place it
from the confirmed request, read it, capture it, release it, refund what was captured.

Each view parses its input and calls one service; every write is ``@idempotent``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from holds import services as holds
from holds.selectors import hold_get_for_client
from operations import hold_requests

from . import hold_serializers as hs
from . import serializers as s
from .authentication import request_client
from .base import ApiView
from .idempotency import idempotent
from .schema import (
    CODE_BUDGET_ERRORS,
    HOLD_ENDED_ERRORS,
    HOLD_ID_PARAMETER,
    OPERATION_ID_PARAMETER,
    WRITE_ERRORS,
    errors,
)
from .views import operation_response, payees_of

_HOLD_MISSING = ("hold_not_found", "not_found")


def _hold_response(hold: Any, *, created: bool = False) -> Response:
    hold.refresh_from_db()  # as committed, not as the service's copy had it
    return Response(
        hs.HoldOut(hold).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


class HoldRequestView(ApiView):
    @extend_schema(
        request=hs.HoldRequestIn,
        responses={
            201: s.OperationOut,
            200: s.OperationOut,
            **errors(
                *WRITE_ERRORS,
                "account_not_available",
                "account_blocked",
                "insufficient_funds",
                *CODE_BUDGET_ERRORS,
            ),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Ask the payer to let money be held for the payees: the bank emails him a code
        that states the amount, the payees and until when the money may be held."""
        data = hs.HoldRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        operation, created = hold_requests.hold_request(
            client=request_client(request),
            payer_number=v["payer_account"],
            payees=payees_of(v),
            amount=v["amount"],
            description=v["description"],
            hold_until=v["hold_until"],
            idempotency_key=v["idempotency_key"],
        )
        return operation_response(operation, created=created)


class HoldPlaceView(ApiView):
    @extend_schema(
        request=s.ExecuteIn,
        parameters=[OPERATION_ID_PARAMETER],
        responses={
            201: hs.HoldOut,
            200: hs.HoldOut,
            **errors(
                *WRITE_ERRORS,
                "not_found",
                "invalid_key",
                "data_mismatch",
                "wrong_state",
                "insufficient_funds",
                "account_blocked",
                "account_not_available",
                "hold_expired",
                "operation_expired",
                "operation_declined",
            ),
        },
    )
    @idempotent
    def post(self, request: Request, operation_id: str) -> Response:
        """Place the hold of a confirmed hold request, with its key and data. One hold per
        request: a repeat answers the hold placed first. A refusal (the balance no longer
        covers it, say) ends the request for good."""
        data = s.ExecuteIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        hold, created = hold_requests.hold_place_confirmed(
            client=request_client(request),
            operation_id=operation_id,
            key=v["key"],
            payer_number=v["payer_account"],
            payees=payees_of(v),
            amount=v["amount"],
        )
        return _hold_response(hold, created=created)


class HoldDetailView(ApiView):
    @extend_schema(
        parameters=[HOLD_ID_PARAMETER], responses={200: hs.HoldOut, **errors(*_HOLD_MISSING)}
    )
    def get(self, request: Request, hold_id: str) -> Response:
        """A hold as it stands; one whose time is up is marked expired by this read."""
        return _hold_response(
            holds.hold_get_current(client=request_client(request), hold_id=hold_id)
        )


class HoldCaptureView(ApiView):
    @extend_schema(
        request=hs.CaptureIn,
        parameters=[HOLD_ID_PARAMETER],
        responses={
            200: hs.HoldOut,
            **errors(
                *WRITE_ERRORS,
                *_HOLD_MISSING,
                *HOLD_ENDED_ERRORS,
                "exceeds_hold_amount",
                "account_blocked",
            ),
        },
    )
    @idempotent
    def post(self, request: Request, hold_id: str) -> Response:
        """Pay the payees all of the hold, or part of it (``amount``) shared in their
        confirmed proportion; the rest is the payer's to spend again at once."""
        data = hs.CaptureIn(data=request.data)
        data.is_valid(raise_exception=True)
        hold = hold_get_for_client(client=request_client(request), hold_id=hold_id)
        return _hold_response(
            holds.hold_capture(hold_id=hold.pk, amount=data.validated_data.get("amount"))
        )


class HoldVoidView(ApiView):
    @extend_schema(
        request=s.WriteIn,
        parameters=[HOLD_ID_PARAMETER],
        responses={200: hs.HoldOut, **errors(*WRITE_ERRORS, *_HOLD_MISSING, *HOLD_ENDED_ERRORS)},
    )
    @idempotent
    def post(self, request: Request, hold_id: str) -> Response:
        """Release the whole hold: the money is the payer's to spend again."""
        hold = hold_get_for_client(client=request_client(request), hold_id=hold_id)
        return _hold_response(holds.hold_void(hold_id=hold.pk))


class HoldRefundView(ApiView):
    @extend_schema(
        request=hs.RefundIn,
        parameters=[HOLD_ID_PARAMETER],
        responses={
            201: hs.RefundOut,
            200: hs.RefundOut,
            **errors(
                *WRITE_ERRORS,
                *_HOLD_MISSING,
                "not_captured",
                "refund_exceeds_capture",
                "insufficient_funds",
                "account_blocked",
            ),
        },
    )
    @idempotent
    def post(self, request: Request, hold_id: str) -> Response:
        """Give back part or all of a capture, taken from the payees in the captured
        proportion; refused whole if a payee's available balance does not cover his share.
        The key stays with the refund: a repeat, however late, gives nothing back twice."""
        data = hs.RefundIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        hold = hold_get_for_client(client=request_client(request), hold_id=hold_id)
        refund, created = holds.hold_refund(
            hold_id=hold.pk, amount=v["amount"], idempotency_key=v["idempotency_key"]
        )
        return Response(
            hs.RefundOut(refund).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
