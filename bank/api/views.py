"""The platform's API: one view per operation, each parsing input and calling one service."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from operations import execution, services
from operations.selectors import linked_account_get, operation_get_for_client

from . import serializers as s
from .authentication import request_client
from .base import ApiView
from .idempotency import idempotent
from .schema import (
    CODE_BUDGET_ERRORS,
    NUMBER_PARAMETER,
    OPERATION_ID_PARAMETER,
    WRITE_ERRORS,
    errors,
)

_ACCOUNT_ERRORS = ("account_not_available", "account_blocked")


def payees_of(data: dict[str, Any]) -> list[services.Payee]:
    return [services.Payee(p["account"], p["amount"]) for p in data["payees"]]


def _number(number: str) -> str:
    """An account number from the URL, checked like one in a body."""
    data = s.AccountPathIn(data={"account": number})
    data.is_valid(raise_exception=True)
    return str(data.validated_data["account"])


def operation_response(operation: Any, *, created: bool = False) -> Response:
    return Response(
        s.OperationOut(operation).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


class LinkCreateView(ApiView):
    @extend_schema(
        request=s.LinkRequestIn,
        responses={
            201: s.OperationOut,
            200: s.OperationOut,
            **errors(*WRITE_ERRORS, *_ACCOUNT_ERRORS, *CODE_BUDGET_ERRORS),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Ask the account's owner to link it: the bank emails him a code."""
        data = s.LinkRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        operation, created = services.link_request(
            client=request_client(request),
            account_number=data.validated_data["account"],
            idempotency_key=data.validated_data["idempotency_key"],
        )
        return operation_response(operation, created=created)


class LinkRevokeView(ApiView):
    @extend_schema(
        request=s.WriteIn,
        parameters=[NUMBER_PARAMETER],
        responses={204: None, **errors(*WRITE_ERRORS, "not_found")},
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        """Stop using a linked account; payments from it are refused from now on."""
        services.link_revoke(client=request_client(request), account_number=_number(number))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BalanceView(ApiView):
    @extend_schema(
        parameters=[NUMBER_PARAMETER],
        responses={
            200: s.BalanceOut,
            **errors("validation_error", "not_found", *_ACCOUNT_ERRORS),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        """The available balance of an account that its owner linked to this client."""
        account = linked_account_get(client=request_client(request), number=_number(number))
        return Response(
            s.BalanceOut(
                {"account": account.number, "available": account.available, "currency": "RUB"}
            ).data
        )


class PaymentCreateView(ApiView):
    @extend_schema(
        request=s.PaymentRequestIn,
        responses={
            201: s.OperationOut,
            200: s.OperationOut,
            **errors(*WRITE_ERRORS, *_ACCOUNT_ERRORS, "insufficient_funds", *CODE_BUDGET_ERRORS),
        },
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Create a payment operation; the bank emails the payer a confirmation code."""
        data = s.PaymentRequestIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        operation, created = services.payment_request(
            client=request_client(request),
            payer_number=v["payer_account"],
            payees=payees_of(v),
            amount=v["amount"],
            description=v["description"],
            idempotency_key=v["idempotency_key"],
        )
        return operation_response(operation, created=created)


class OperationDetailView(ApiView):
    @extend_schema(
        parameters=[OPERATION_ID_PARAMETER], responses={200: s.OperationOut, **errors("not_found")}
    )
    def get(self, request: Request, operation_id: str) -> Response:
        """An operation's status, for the platform's reconciliation."""
        return operation_response(
            operation_get_for_client(client=request_client(request), operation_id=operation_id)
        )


class CodeResendView(ApiView):
    @extend_schema(
        request=s.WriteIn,
        parameters=[OPERATION_ID_PARAMETER],
        responses={
            200: s.OperationOut,
            **errors(
                *WRITE_ERRORS,
                "not_found",
                "wrong_state",
                "resend_limit",
                "resend_too_soon",
                "operation_declined",
                "operation_expired",
                *CODE_BUDGET_ERRORS,
            ),
        },
    )
    @idempotent
    def post(self, request: Request, operation_id: str) -> Response:
        """Email a new code; the previous one stops working."""
        return operation_response(
            services.code_resend(client=request_client(request), operation_id=operation_id)
        )


class CodeConfirmView(ApiView):
    @extend_schema(
        request=s.ConfirmIn,
        parameters=[OPERATION_ID_PARAMETER],
        responses={
            200: s.ConfirmOut,
            **errors(
                *WRITE_ERRORS,
                "not_found",
                "operation_blocked",
                "wrong_state",
                "invalid_code",
                "code_expired",
                "operation_declined",
                "operation_expired",
                "account_codes_blocked",
                "client_codes_throttled",
            ),
        },
    )
    @idempotent
    def post(self, request: Request, operation_id: str) -> Response:
        """Check the code. A payment answers with its key, in this answer (and its replays) only."""
        data = s.ConfirmIn(data=request.data)
        data.is_valid(raise_exception=True)
        confirmation = services.code_confirm(
            client=request_client(request),
            operation_id=operation_id,
            code=data.validated_data["code"],
        )
        return Response(
            s.ConfirmOut({"operation": confirmation.operation, "key": confirmation.key}).data
        )


class ExecuteView(ApiView):
    @extend_schema(
        request=s.ExecuteIn,
        parameters=[OPERATION_ID_PARAMETER],
        responses={
            200: s.OperationOut,
            **errors(*WRITE_ERRORS, "not_found", "invalid_key", "data_mismatch", "wrong_state"),
        },
    )
    @idempotent
    def post(self, request: Request, operation_id: str) -> Response:
        """Carry out a confirmed payment. Idempotent on the key: a repeat moves nothing."""
        data = s.ExecuteIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        operation = execution.operation_execute(
            client=request_client(request),
            operation_id=operation_id,
            key=v["key"],
            payer_number=v["payer_account"],
            payees=payees_of(v),
            amount=v["amount"],
        )
        return operation_response(operation)
