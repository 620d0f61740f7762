"""Business parameters of one call, parsed at the edge: absent and empty are the same (TOP.md §1).

Parsing failures raise `TopError` 40 (missing) or 41 (invalid), which the gateway answers as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from server.tmall.envelope import parse_top_time_text
from server.tmall.sandbox.errors import invalid_argument, missing_argument


class Params:
    """Typed access to a call's business parameters."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = {key: value for key, value in values.items() if value != ""}

    def text(self, name: str) -> str | None:
        return self.values.get(name)

    def required(self, name: str) -> str:
        value = self.values.get(name)
        if value is None:
            raise missing_argument(name)
        return value

    def optional_integer(self, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
        raw = self.values.get(name)
        if raw is None:
            return None
        try:
            value = int(raw.strip())
        except ValueError:
            raise invalid_argument(name, f"{name} must be an integer, not '{raw}'") from None
        if minimum is not None and value < minimum:
            raise invalid_argument(name, f"{name} must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise invalid_argument(name, f"{name} must be at most {maximum}")
        return value

    def integer(self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.optional_integer(name, minimum=minimum, maximum=maximum)
        return default if value is None else value

    def required_integer(self, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
        self.required(name)
        value = self.optional_integer(name, minimum=minimum, maximum=maximum)
        assert value is not None
        return value

    def time(self, name: str) -> int | None:
        """A `yyyy-MM-dd HH:mm:ss` GMT+8 parameter as epoch ms."""
        raw = self.values.get(name)
        if raw is None:
            return None
        try:
            return parse_top_time_text(raw)
        except ValueError:
            raise invalid_argument(name, f"{name} must be 'yyyy-MM-dd HH:mm:ss' (GMT+8), not '{raw}'") from None

    def required_time(self, name: str) -> int:
        self.required(name)
        value = self.time(name)
        assert value is not None
        return value

    def flag(self, name: str) -> bool:
        return self.values.get(name, "").strip().lower() in ("true", "1")

    def fields(self) -> Fields:
        return Fields.parse(self.required("fields"))

    def page(self, default_size: int, max_size: int) -> tuple[int, int]:
        """`(page_no, page_size)`, 1-based."""
        page_no = self.integer("page_no", 1, minimum=1)
        page_size = self.integer("page_size", default_size, minimum=1, maximum=max_size)
        return page_no, page_size


@dataclass(frozen=True)
class Fields:
    """The `fields` parameter: top-level names, and `list.name` for fields of list elements."""

    names: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Fields:
        return cls(frozenset(name.strip() for name in text.split(",") if name.strip()))

    def pick(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The requested part of a record; absent (None) values are left out, as TOP does."""
        picked: dict[str, Any] = {}
        for key, value in record.items():
            if value is None:
                continue
            if key in self.names:
                picked[key] = [_drop_none(v) for v in value] if isinstance(value, list) else value
            elif isinstance(value, list):
                prefix = key + "."
                wanted = Fields(frozenset(n[len(prefix) :] for n in self.names if n.startswith(prefix)))
                if wanted.names:
                    picked[key] = [wanted.pick(element) for element in value]
        return picked


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _drop_none(v) for key, v in value.items() if v is not None}
    return value
