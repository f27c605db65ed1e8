"""The mail catcher of ``make run``: real SMTP in, a page with links and a JSON API out."""

from __future__ import annotations

import smtplib
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from paylib.smtp_catcher import SmtpCatcher, free_port

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import mailcatcher


@pytest.fixture
def catcher() -> Iterator[tuple[SmtpCatcher, str]]:
    with SmtpCatcher() as smtp:
        port = free_port()
        web = mailcatcher.serve(smtp, port)
        try:
            yield smtp, f"http://127.0.0.1:{port}"
        finally:
            web.shutdown()


def send(smtp: SmtpCatcher, to: str, subject: str, text: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "bank@example.test", to, subject
    message.set_content(text)
    with smtplib.SMTP(smtp.host, smtp.port) as client:
        client.send_message(message)  # the catcher has stored it once this returns


def test_scripts_read_the_mail_and_its_codes_as_json(catcher: tuple[SmtpCatcher, str]) -> None:
    smtp, url = catcher
    send(smtp, "ann@example.test", "Your code", "Your confirmation code: 123456\n")
    send(smtp, "bob@example.test", "Hello", "No code here.\n")
    everything = httpx.get(f"{url}/api/messages").json()
    assert [m["to"] for m in everything] == ["ann@example.test", "bob@example.test"]
    ann = httpx.get(f"{url}/api/messages", params={"to": "ann@example.test"}).json()
    assert len(ann) == 1
    assert ann[0]["codes"] == ["123456"]
    assert ann[0]["subject"] == "Your code"
    assert httpx.get(f"{url}/api/messages", params={"after": 1}).json()[0]["id"] == 2
    assert httpx.get(f"{url}/api/messages/2").json()["to"] == "bob@example.test"
    assert httpx.get(f"{url}/api/messages/9").status_code == 404
    assert httpx.get(f"{url}/api/messages/x").status_code == 404


def test_the_page_links_addresses_and_does_not_reload_itself(
    catcher: tuple[SmtpCatcher, str],
) -> None:
    smtp, url = catcher
    send(smtp, "ann@example.test", "Confirm", "Open http://127.0.0.1:8000/users/verify/abc/ now.\n")
    page = httpx.get(url).text
    assert '<a href="http://127.0.0.1:8000/users/verify/abc/">' in page
    assert 'http-equiv="refresh"' not in page
    fresh = httpx.get(f"{url}/api/messages/html", params={"after": 0}).json()
    assert fresh["count"] == 1
    assert "users/verify/abc/" in fresh["items"][0]
    assert httpx.get(f"{url}/api/messages/html", params={"after": 1}).json()["items"] == []


def test_mail_text_cannot_inject_markup(catcher: tuple[SmtpCatcher, str]) -> None:
    smtp, url = catcher
    send(smtp, "ann@example.test", "<b>x</b>", 'See https://x.test/"><script>alert(1)</script>\n')
    page = httpx.get(url).text
    assert "<script>alert(1)" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
