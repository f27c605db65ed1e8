"""A person on the marketplace, as HTTP: a cookie jar, CSRF tokens and the site's forms."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx

from bank_client import BankClient

CSRF_COOKIE = "market_csrftoken"


class Visitor:
    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def _token(self) -> str:
        token = self.http.cookies.get(CSRF_COOKIE)
        if token is None:
            self.http.get("/users/login/")
            token = self.http.cookies.get(CSRF_COOKIE)
        assert token, "no CSRF cookie"
        return token

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path)

    def post(self, path: str, data: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.post(path, data={**(data or {}), "csrfmiddlewaretoken": self._token()})

    def sign_in(self, email: str, password: str) -> None:
        response = self.post("/users/login/", {"username": email, "password": password})
        assert response.status_code == 302, response.text[:2000]

    def form_key(self, path: str) -> str:
        """The idempotency key the form on ``path`` carries (forms that create something)."""
        page = self.get(path)
        match = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
        assert match, f"no idempotency key on {path}: {page.status_code}"
        return match[1]

    def open_deal(self, offer_id: int, quantity: int = 1) -> int:
        key = self.form_key(f"/offers/{offer_id}/")
        response = self.post(
            f"/deals/new/{offer_id}/", {"quantity": quantity, "idempotency_key": key}
        )
        assert response.status_code == 302, response.text[:2000]
        return int(re.search(r"/deals/(\d+)/", response.headers["location"])[1])  # type: ignore[index]

    def start_payment(self, deal_id: int, account_id: int) -> httpx.Response:
        return self.post(f"/payments/deal/{deal_id}/", {"account": account_id})

    def confirm(self, payment_id: int, code: str) -> httpx.Response:
        return self.post(f"/payments/{payment_id}/code/", {"code": code})

    def payment_status(self, payment_id: int) -> dict[str, Any]:
        response = self.get(f"/payments/{payment_id}/status.json")
        assert response.status_code == 200, response.text[:500]
        return response.json()  # type: ignore[no-any-return]

    def wait_final(self, payment_id: int, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.payment_status(payment_id)
            if status["final"]:
                return status
            time.sleep(0.3)
        raise TimeoutError(f"payment {payment_id} still {status['status']} after {timeout}s")


def payment_id_from(response: httpx.Response) -> int:
    match = re.search(r"/payments/(\d+)/", response.headers.get("location", ""))
    assert match, (response.status_code, response.text[:2000])
    return int(match[1])


def balances(bank: BankClient, *numbers: str) -> dict[str, int]:
    return {n: bank.balance(account_number=n).available for n in numbers}
