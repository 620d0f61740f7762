"""The gate in front of every multi-step scanning workflow: a keyed quantity out of range, or a scan
that names nothing here, is answered before the workflow's own steps see it.

Picking, put-back, putaway, counting and transfers share it. Receiving and packing keep their own
gate: with no receiving area a receiving terminal says so before it reads the scan, and a packer's
waybill is a code the replica does not know, so packing reads its scans past an unresolved one.
"""

from __future__ import annotations

import abc

from terminal_app.workflows.resolve import Named, Resolver
from terminal_app.workflows.step import Step, quantity_problem


class ScanSession(abc.ABC):
    """A workflow answering scans: `scan` checks the keyed quantity and resolves the text, then
    `answer` gets what the scan names, the text as shown and the units it counts for (1 unless a
    quantity was keyed)."""

    resolver: Resolver

    def scan(self, text: str, quantity: int | None = None) -> Step:
        problem = quantity_problem(quantity)
        if problem is not None:
            return problem
        found = self.resolver.resolve(text)
        if isinstance(found, Step):
            return found
        return self.answer(found, text.strip(), quantity or 1)

    @abc.abstractmethod
    def answer(self, found: Named, raw: str, qty: int) -> Step:
        """The workflow's answer to a scan that names `found` (`raw` as scanned, `qty` units)."""
