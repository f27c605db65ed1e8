"""A local mail catcher for ``make run``: SMTP on port 1025, a web page on port 8025.

Every message the services send lands here instead of a real mailbox; open the page to
read the confirmation codes (links in the messages are clickable). New mail appears at the
top of the page without reloading it, so nothing moves under the reader. Scripts read the
mail as JSON:

* ``GET /api/messages`` — every message, oldest first; ``?to=<address>`` keeps those to
  one address, ``?after=<id>`` those newer than a message already seen;
* ``GET /api/messages/<id>`` — one message.

Each message is ``{"id", "date", "from", "to", "subject", "text", "codes"}``, where
``codes`` lists the six-digit confirmation codes found in the text. Messages live in
memory and vanish when the catcher stops.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import re
import sys
import threading
import time
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from paylib.smtp_catcher import CODE_PATTERN, SmtpCatcher, text_body

URL = re.compile(r"https?://[^\s<>\"']+")

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mail catcher</title>
<style>body{font-family:system-ui,sans-serif;margin:1rem auto;max-width:60rem;padding:0 1rem}
article{border:1px solid #ccc;border-radius:.5rem;padding:.5rem 1rem;margin:.75rem 0}
article.new{border-color:#2a7;box-shadow:0 0 0 2px #2a73}
pre{white-space:pre-wrap;overflow-wrap:anywhere}small{color:#555}</style></head><body>
<h1>Mail catcher</h1>
<p><span id="count">__COUNT__</span> message(s), newest first. New mail appears here by
itself. Scripts: <a href="/api/messages">/api/messages</a> (JSON).</p>
<div id="mail">__ITEMS__</div>
<script>
let last = __LAST__;
async function poll() {
  try {
    const answer = await fetch("/api/messages/html?after=" + last);
    const data = await answer.json();
    if (data.items.length) {
      const mail = document.getElementById("mail");
      if (!last) mail.textContent = "";
      for (const item of data.items) mail.insertAdjacentHTML("afterbegin", item);
      last = data.last;
      document.getElementById("count").textContent = data.count;
    }
  } catch (error) {}
  setTimeout(poll, 2000);
}
setTimeout(poll, 2000);
</script></body></html>"""


def linkify(text: str) -> str:
    """Escape ``text`` for HTML and make every web address in it a link."""
    parts, start = [], 0
    for match in URL.finditer(text):
        url = match.group(0).rstrip(".,);")
        end = match.start() + len(url)
        parts.append(html.escape(text[start : match.start()]))
        parts.append(f'<a href="{html.escape(url)}">{html.escape(url)}</a>')
        start = end
    parts.append(html.escape(text[start:]))
    return "".join(parts)


def as_json(number: int, message: EmailMessage) -> dict[str, Any]:
    text = text_body(message)
    return {
        "id": number,
        "date": str(message["Date"] or ""),
        "from": str(message["From"] or ""),
        "to": str(message["To"] or ""),
        "subject": str(message["Subject"] or ""),
        "text": text,
        "codes": CODE_PATTERN.findall(text),
    }


def as_html(number: int, message: EmailMessage) -> str:
    return (
        f'<article id="m{number}"><small>#{number} · {html.escape(str(message["Date"]))}'
        f" · to {html.escape(str(message['To']))}</small>"
        f"<h2>{html.escape(str(message['Subject']))}</h2>"
        f"<pre>{linkify(text_body(message))}</pre></article>"
    )


def render(messages: list[EmailMessage]) -> str:
    items = [as_html(n, m) for n, m in reversed(list(enumerate(messages, 1)))]
    return (
        PAGE.replace("__COUNT__", str(len(messages)))
        .replace("__LAST__", str(len(messages)))
        .replace("__ITEMS__", "".join(items) or "<p>No mail yet.</p>")
    )


def _number(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() else 0


class Mailbox:
    """The HTTP side: what each path answers, as (status, content type, body)."""

    def __init__(self, smtp: SmtpCatcher) -> None:
        self.smtp = smtp

    def answer(self, target: str) -> tuple[int, str, bytes]:
        url = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        messages = list(enumerate(self.smtp.messages, 1))
        after = _number(query.get("after"))
        if url.path == "/":
            return 200, "text/html; charset=utf-8", render([m for _, m in messages]).encode()
        if url.path == "/api/messages/html":
            fresh = [as_html(n, m) for n, m in messages if n > after]
            body = {"items": fresh, "last": len(messages), "count": len(messages)}
            return self._json(200, body)
        if url.path == "/api/messages":
            to = query.get("to", "")
            found = [as_json(n, m) for n, m in messages if n > after and to in str(m["To"])]
            return self._json(200, found)
        if url.path.startswith("/api/messages/"):
            number = _number(url.path.rsplit("/", 1)[-1])
            if 1 <= number <= len(messages):
                return self._json(200, as_json(number, messages[number - 1][1]))
            return self._json(404, {"error": "no such message"})
        return self._json(404, {"error": "no such page"})

    @staticmethod
    def _json(status: int, body: object) -> tuple[int, str, bytes]:
        return status, "application/json", json.dumps(body, ensure_ascii=False).encode()


def serve(smtp: SmtpCatcher, port: int) -> ThreadingHTTPServer:
    mailbox = Mailbox(smtp)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, content_type, body = mailbox.answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Silence the per-request log: the page asks for new mail every 2 seconds."""

    web = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    return web


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    args = parser.parse_args()

    with SmtpCatcher(port=args.smtp_port) as smtp:
        web = serve(smtp, args.http_port)
        print(
            f"Mail catcher: SMTP 127.0.0.1:{args.smtp_port}, "
            f"read mail at http://127.0.0.1:{args.http_port}/",
            flush=True,
        )
        try:
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it stops
                _echo_forever(smtp)
        finally:
            web.shutdown()


def _echo_forever(smtp: SmtpCatcher) -> None:
    """Print a line for every message, so the terminal shows the mail too."""
    seen = 0
    while True:
        messages = smtp.messages
        for message in messages[seen:]:
            print(f"mail to {message['To']}: {message['Subject']}", flush=True)
        seen = len(messages)
        time.sleep(0.5)


if __name__ == "__main__":
    main()
