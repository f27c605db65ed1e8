"""What the README promises, read from the README itself: tests hold the code to it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


@dataclass(frozen=True)
class DemoLogins:
    password: str
    #: email -> who, as the README's table of demo logins describes them
    logins: dict[str, str]


def demo_logins(readme: Path = README) -> DemoLogins:
    """The "Demo logins" table: its password and every login it lists."""
    text = readme.read_text(encoding="utf-8")
    head = re.search(r"Demo logins, all with the password `([^`]+)`:\n\n", text)
    if head is None:
        raise LookupError("The README has no table of demo logins.")
    logins: dict[str, str] = {}
    for line in text[head.end() :].splitlines():
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        for email in re.findall(r"`([^`@\s]+@[^`\s]+)`", cells[0]):
            logins[email] = cells[-1]
    return DemoLogins(password=head.group(1), logins=logins)
