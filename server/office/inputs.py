"""Bounded input types of the office API's request bodies: every text, number and list has an upper
bound (the numbers are `engine.limits`'), so an input no office would send is a 422 `bad_request`,
never a value the database refuses or a computation that never ends.

    class TransferLineIn(BaseModel):
        sku: Code
        qty: Units
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

from engine.limits import MAX_ID_CHARS, MAX_LIST_ITEMS, MAX_QTY, MAX_TEXT_CHARS

NO_NUL = r"^[^\x00]*$"
"""PostgreSQL stores no NUL character in text (and no code or name has one)."""

MAX_DB_INT = 2**63 - 1
"""The largest integer either database stores (a 64-bit column)."""

Code = Annotated[str, Field(max_length=MAX_ID_CHARS, pattern=NO_NUL)]
"""An identifier or code: SKU, warehouse, location, account, operator, order, transfer, role (an
empty or unknown one is the office's own refusal, with its code)."""
Note = Annotated[str, Field(max_length=MAX_TEXT_CHARS, pattern=NO_NUL)]
"""Text a person types: a note, a reason, a name."""
Secret = Annotated[str, Field(max_length=1024, pattern=NO_NUL)]
Units = Annotated[int, Field(le=MAX_QTY)]
"""Units of one SKU on a line (zero or fewer: the office's own refusal, with its code)."""
Stock = Annotated[int, Field(ge=0, le=MAX_QTY * 1000)]
"""A stock level (a limit, a tolerance): up to a thousand full pallets' worth."""
Codes = Annotated[list[Code], Field(max_length=MAX_LIST_ITEMS)]

RowId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
"""A numeric id in a path (an alert's)."""
