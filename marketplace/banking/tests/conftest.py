"""The payment fixtures (a fake bank that takes payments, a buyer, a deal) serve here too."""

from payments.tests.conftest import bank, buyer, buyer_account, deal, seller

__all__ = ["bank", "buyer", "buyer_account", "deal", "seller"]
