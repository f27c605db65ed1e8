"""``{{ number|account_number }}``: an account number grouped as the bank shows it."""

from __future__ import annotations

from django import template

from paylib.accounts import group_account_number

register = template.Library()
register.filter("account_number", group_account_number)
