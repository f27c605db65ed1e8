"""A local mail catcher for ``make run``: SMTP on port 1025, a web page on port 8025.

Every message the services send lands here instead of a real mailbox; open the page to
read the confirmation codes. Messages live in memory and vanish when it stops.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import sys
import threading
import time
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from paylib.smtp_catcher import SmtpCatcher, text_body

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="3"><title>Mail catcher ({count})</title>
<style>body{{font-family:system-ui,sans-serif;margin:1rem auto;max-width:60rem;padding:0 1rem}}
article{{border:1px solid #ccc;border-radius:.5rem;padding:.5rem 1rem;margin:.75rem 0}}
pre{{white-space:pre-wrap}}small{{color:#555}}</style></head><body>
<h1>Mail catcher</h1><p>{count} message(s), newest first. This page refreshes itself.</p>
{items}</body></html>"""


def render(messages: list[EmailMessage]) -> str:
    items = []
    for number, message in reversed(list(enumerate(messages, 1))):
        items.append(
            f'<article id="m{number}"><small>#{number} · {html.escape(str(message["Date"]))}'
            f" · to {html.escape(str(message['To']))}</small>"
            f"<h2>{html.escape(str(message['Subject']))}</h2>"
            f"<pre>{html.escape(text_body(message))}</pre></article>"
        )
    return PAGE.format(count=len(messages), items="".join(items) or "<p>No mail yet.</p>")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    args = parser.parse_args()

    with SmtpCatcher(port=args.smtp_port) as smtp:

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = render(smtp.messages).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Silence the per-request log: the page refreshes every 3 seconds."""

        web = ThreadingHTTPServer(("127.0.0.1", args.http_port), Handler)
        threading.Thread(target=web.serve_forever, daemon=True).start()
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
