"""English left on a Russian page: the project's own English phrases (the messages of its
Russian catalogues, cut at their placeholders) that a page shows untranslated."""

from __future__ import annotations

import gettext
import html
import re
from collections.abc import Iterable
from pathlib import Path

_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")
_TAGS = re.compile(r"<[^>]+>")
_HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_ENGLISH = re.compile(r"[A-Za-z][A-Za-z'’,.:;?!-]*(?: [A-Za-z][A-Za-z'’,.:;?!-]*)+")


def english_phrases(catalogues: Iterable[Path]) -> set[str]:
    """Every run of two or more English words in the messages that have a Russian
    translation (a message the translation keeps as is, like a brand, is left out)."""
    phrases: set[str] = set()
    for path in catalogues:
        with path.open("rb") as file:
            catalogue = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
        for key, translated in catalogue.items():
            if not isinstance(key, str) or not key or key == translated:
                continue
            for piece in _PLACEHOLDER.split(key):
                phrases.update(m.strip(" ,.:;?!") for m in _ENGLISH.findall(piece))
    return {p for p in phrases if len(p.split()) >= 2}


def page_text(page: str) -> str:
    """What a reader sees of an HTML page, with its spaces collapsed."""
    visible = _TAGS.sub(" ", _HIDDEN.sub(" ", page))
    return " ".join(html.unescape(visible).split())


def english_in(text: str, phrases: set[str]) -> list[str]:
    """The phrases found in ``text`` as whole words."""
    return sorted(
        p for p in phrases if p in text and re.search(rf"(?<![\w]){re.escape(p)}(?![\w])", text)
    )


#: Names that are the same in every language.
UNTRANSLATED = ("JPEG, PNG", "WebP", "PDF", "CSV")
_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,.:]+[A-Za-z][A-Za-z'’-]*)+")


def english_runs(text: str, *, known: Iterable[str] = ()) -> list[str]:
    """Runs of two or more Latin words in ``text`` once the ``known`` strings (the test's
    own data: names, titles, addresses) and file formats are taken out: English that no
    catalogue knows of, such as a heading never marked for translation."""
    for piece in sorted({*known, *UNTRANSLATED}, key=len, reverse=True):
        text = text.replace(piece, " ")
    return sorted({run for run in _RUN.findall(text) if len(run.split()) >= 2})
