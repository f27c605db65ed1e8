"""The API's JSON parser: DRF's, with a bound on nesting so that no body can crash it."""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

#: No request of this API nests deeper than 3 levels (a payment's payees); anything far
#: deeper is refused before a serializer or a fingerprint walks it recursively.
MAX_DEPTH = 32


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Whether ``data`` nests lists or objects more than ``limit`` deep (no recursion)."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            if depth >= limit:
                return True
            stack.extend((item, depth + 1) for item in value)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # json.loads gives up at the interpreter's recursion limit (~1,000 levels).
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
        if _depth_exceeds(data, MAX_DEPTH):
            raise ParseError("JSON parse error - the body is nested too deeply.")
        return data
