"""Reads on users."""

from __future__ import annotations

from django.http import Http404
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from .models import User
from .tokens import email_verification_token


def user_from_verification_link(*, uidb64: str, token: str) -> User | None:
    """The pending account a confirmation link names, if the link is genuine and unused."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    if not -(2**63) < pk < 2**63:
        return None
    user = User.objects.filter(pk=pk, email_verified_at__isnull=True).first()
    if user is None or not email_verification_token.check_token(user, token):
        return None
    return user


def seller_get_public(*, seller_id: int) -> User:
    """A seller's public page: only of a user who has published an offer or completed a
    sale (his name is public there already); a 404 for anyone else."""
    from deals.models import Deal

    if not 0 < seller_id < 2**63:
        raise Http404
    user = User.objects.filter(pk=seller_id, is_active=True).first()
    if user is None:
        raise Http404
    has_offers = user.offers.exists()
    if (
        not has_offers
        and not Deal.objects.filter(seller=user, status=Deal.Status.COMPLETED).exists()
    ):
        raise Http404
    return user


def seller_completed_sales(*, seller: User) -> int:
    from deals.models import Deal

    return Deal.objects.filter(seller=seller, status=Deal.Status.COMPLETED).count()
