"""What of a page a reader sees that is still in English: for the tests that open pages in
Russian (every admin page, every page of the sites) and fail on a heading, label or button
left untranslated."""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

# A word of Latin letters standing alone: not part of an email, an address, a number, a
# hex digest, a masked salt ("uh******") or an identifier: data, not the page's words.
_WORD = re.compile(r"(?<![\w@./:#*_-])[A-Za-z][A-Za-z']+(?![\w@/:*_-]|\.\w)")
# Attributes a person reads (or a screen reader says) as the page's own words.
_READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
_UNREAD = {"script", "style", "template", "textarea", "code", "pre"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _UNREAD:
            self._skipping += 1
        values = dict(attrs)
        for name in _READ_ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name] or "")
        if tag == "input" and values.get("type") in {"submit", "button", "reset"}:
            self.texts.append(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _UNREAD and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    """What a reader of ``html`` sees: its text, buttons' values, the attributes read aloud."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return [" ".join(text.split()) for text in reader.texts if text.strip()]


def english_words(html: str, *, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The Latin-letter words a reader of ``html`` sees, less ``allowed``: on a Russian
    page, what was left in English."""
    words = (match[0] for text in visible_texts(html) for match in _WORD.finditer(text))
    return sorted({word for word in words if word not in allowed})


def page_text(html: str) -> str:
    """What a reader of ``html`` sees, its pieces apart (no phrase runs from one into the
    next)."""
    return " | ".join(visible_texts(html))


def phrases_in(text: str, phrases: Iterable[str]) -> list[str]:
    """Those of ``phrases`` found in ``text`` as words of their own."""
    return sorted(
        p for p in phrases if p in text and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)
    )


def phrases_shown(html: str, phrases: list[str]) -> list[str]:
    """Those of ``phrases`` that a reader of ``html`` sees as words of their own."""
    return phrases_in(page_text(html), phrases)


_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")
_ENGLISH = re.compile(r"[A-Za-z][A-Za-z'’,.:;?!-]*(?: [A-Za-z][A-Za-z'’,.:;?!-]*)+")


def catalogue_phrases(locale_paths: Iterable[str | Path]) -> set[str]:
    """Every run of two or more English words in the messages that the Russian catalogues
    under ``locale_paths`` translate (a message kept as is, like a brand, is left out), cut
    at their placeholders: what a Russian page must not show."""
    phrases: set[str] = set()
    for root in locale_paths:
        path = Path(root) / "ru" / "LC_MESSAGES" / "django.mo"
        if not path.exists():
            continue
        with path.open("rb") as file:
            catalogue = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
        for key, translated in catalogue.items():
            if not isinstance(key, str) or not key or key == translated:
                continue
            for piece in _PLACEHOLDER.split(key):
                phrases.update(m.strip(" ,.:;?!") for m in _ENGLISH.findall(piece))
    return {p for p in phrases if len(p.split()) >= 2}


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


def admin_names(site: Any) -> list[str]:
    """What ``site`` calls itself, its apps and its models in English: its headings and links."""
    from django.utils import translation

    with translation.override("en"):
        names = {str(site.site_header), str(site.site_title)}
        for model in site._registry:
            meta = model._meta
            names |= {str(meta.verbose_name).capitalize(), str(meta.verbose_name_plural)}
            names.add(str(meta.app_config.verbose_name))
    return sorted(names)


# Django names its permissions in English when it creates them ("Can add deal"): rows of
# its table, not words of a page; the app and model names before them are the page's.
_PERMISSION_NAME = re.compile(r"\| Can (add|change|delete|view) [^<|]*(?=</option>)")


def without_permission_names(html: str) -> str:
    return _PERMISSION_NAME.sub("", html)


def admin_pages(site: Any) -> list[str]:
    """The addresses of an admin site's pages: its index, each app's, and each model's list,
    add form, and for its first row the change form, history and delete confirmation."""
    from django.urls import reverse

    urls = [reverse(f"{site.name}:index")]
    models = sorted(site._registry, key=lambda m: (m._meta.app_label, m._meta.model_name))
    urls += [
        reverse(f"{site.name}:app_list", args=[label])
        for label in sorted({m._meta.app_label for m in models})
    ]
    for model in models:
        name = f"{site.name}:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls += [reverse(f"{name}_{page}", args=[first.pk]) for page in PAGES_OF_A_ROW]
    return urls


PAGES_OF_A_ROW = ("change", "history", "delete")


def untranslated_names(app_configs: list[Any], *, allowed: frozenset[str]) -> list[str]:
    """The names the admin shows for ``app_configs`` (the apps', their models', the models'
    fields' and choices') that read the same in Russian as in English."""
    from django.utils import translation

    def same(name: Any) -> bool:
        with translation.override("en"):
            english = str(name)
        with translation.override("ru"):
            return str(name) == english and english not in allowed

    found = []
    for config in app_configs:
        if same(config.verbose_name):
            found.append(f"{config.label}: {config.verbose_name}")
        for model in config.get_models():
            meta = model._meta
            names = [meta.verbose_name, meta.verbose_name_plural]
            for field in meta.get_fields():
                names.append(getattr(field, "verbose_name", ""))
                names += [label for _value, label in getattr(field, "flatchoices", None) or []]
            found += [f"{meta.label}: {name}" for name in names if name and same(name)]
    return found
