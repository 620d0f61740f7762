"""Printed documents for the office: each order's packing slip and shipping label, and SKU, bin and
tote labels, as one PDF to send to the printer.

This module reads what to print from the store and refuses what the office asks wrongly; the pages
are drawn by `documents.order_pages` (100×150 mm slips and shipping labels, at 203 or 300 dpi) and
`documents.labels` (the terminal's 60×40 mm SKU, bin and tote labels).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from documents.labels import LabelError, LabelSpec, find_font, render_labels
from documents.order_pages import COURIERS, OrderDocument, Receiver, SlipLine, order_pages, pdf
from documents.page_texts import DEFAULT_LANG as DEFAULT_PAGE_LANG
from documents.page_texts import LANGS, Lang
from server.office.accounts import NotFound, OfficeError
from server.store import printing as store
from server.store.database import Tx

DEFAULT_LANG: Lang = DEFAULT_PAGE_LANG
"""The language of the pages when none is asked for."""
DOTS_PER_MM: dict[int, float] = {203: 8.0, 300: 300 / 25.4}
"""The resolutions offered: 203 dpi is the thermal printers' 8 dots/mm."""
Documents = Literal["all", "slips", "labels"]
CodeKind = Literal["skus", "bins", "totes"]
_LOCATION_KINDS: dict[str, tuple[str, ...]] = {"bins": ("bin", "staging"), "totes": ("tote",)}


class Unprintable(OfficeError):
    """A value a barcode cannot hold (Code 128 is printable ASCII) or that does not fit the label."""

    def __init__(self, reason: str) -> None:
        super().__init__("unprintable", reason, 422)


# --- what to print ------------------------------------------------------------------------------


def wave_order_ids(tx: Tx, wave_id: str) -> list[str]:
    """The orders of a wave, by order id."""
    if not store.wave_exists(tx, wave_id):
        raise NotFound(f"wave '{wave_id}'")
    return store.wave_order_ids(tx, wave_id)


def order_documents(tx: Tx, order_ids: Sequence[str]) -> list[OrderDocument]:
    """Each order's document, in the order asked (duplicates once); 404 naming every unknown id."""
    wanted = list(dict.fromkeys(order_ids))
    found = store.orders_by_id(tx, wanted)
    missing = [order_id for order_id in wanted if order_id not in found]
    if missing:
        raise OfficeError("not_found", f"unknown order(s): {', '.join(missing)}", 404)
    market = store.trades_by_order_id(tx, wanted)
    return [_document(tx, found[order_id], market.get(order_id)) for order_id in wanted]


def _document(tx: Tx, order: Mapping[str, Any], market: Mapping[str, Any] | None) -> OrderDocument:
    detail: dict[str, Any] = json.loads(market["detail"]) if market is not None else {}
    titles = {str(item.get("outer_sku_id")): str(item.get("title") or "")
              for item in detail.get("orders") or [] if isinstance(item, dict)}
    lines = tuple(
        SlipLine(sku, name or titles.get(sku, ""), qty, tuple(store.pick_bins(tx, order["warehouse_id"], sku)))
        for sku, qty, name in store.slip_lines(tx, order["order_id"])
    )
    waybill = order["waybill"] or (market["waybill"] if market is not None else None)
    cp_code = str(market["cp_code"] or "") if market is not None else ""
    return OrderDocument(
        order["order_id"], order["warehouse_id"], lines,
        store=str(market["nick"] or "") if market is not None else "",
        buyer_nick=str(detail.get("buyer_nick") or ""),
        waybill=waybill or None,
        courier=COURIERS.get(cp_code.upper(), cp_code),
        receiver=_receiver(detail),
    )


def _receiver(detail: dict[str, Any]) -> Receiver | None:
    """Tmall's receiver fields (masked by Tmall where it masks them), or None when there are none."""
    name = str(detail.get("receiver_name") or "")
    parts = [str(detail.get(key) or "") for key in (
        "receiver_state", "receiver_city", "receiver_district", "receiver_town", "receiver_address")]
    address = " ".join(part for part in parts if part)
    phone = str(detail.get("receiver_mobile") or detail.get("receiver_phone") or "")
    return Receiver(name, phone, address) if name or address else None


def code_labels(tx: Tx, kind: CodeKind, codes: Sequence[str]) -> list[LabelSpec]:
    """The labels for these SKUs, bins or totes; 422 naming every code that is not one."""
    wanted = list(dict.fromkeys(codes))
    if kind == "skus":
        known = {sku: LabelSpec(sku, name, barcode)
                 for sku, (name, barcode) in store.sku_labels(tx, wanted).items()}
    else:
        known = {code: LabelSpec(code, warehouse)
                 for code, (warehouse, location_kind) in store.location_labels(tx, wanted).items()
                 if location_kind in _LOCATION_KINDS[kind]}
    missing = [code for code in wanted if code not in known]
    if missing:
        raise OfficeError("unknown_codes", f"no such {kind[:-1]}: {', '.join(missing)}", 422)
    return [known[code] for code in wanted]


# --- rendering ----------------------------------------------------------------------------------


def render_orders(found: Sequence[OrderDocument], dpi: int = 203,
                  documents: Documents = "all", lang: str = DEFAULT_PAGE_LANG) -> bytes:
    """One PDF: for each order its packing slip page(s), then its shipping label (or only
    the slips, or only the labels), their fixed texts in `lang` ("zh" or "en")."""
    if not found:
        raise OfficeError("nothing_to_print", "no orders to print")
    if documents not in ("all", "slips", "labels"):
        raise OfficeError("bad_documents", "documents is all, slips or labels")
    dots = _dots_per_mm(dpi)
    language = page_language(lang)
    try:
        pages = order_pages(found, dots, slips=documents in ("all", "slips"),
                            labels=documents in ("all", "labels"), lang=language)
    except LabelError as problem:
        raise Unprintable(str(problem)) from problem
    return pdf(pages)


def render_code_labels(kind: CodeKind, specs: Sequence[LabelSpec]) -> bytes:
    """SKU, bin or tote labels, 60×40 mm, one a page, at 8 dots/mm."""
    with tempfile.TemporaryDirectory(prefix="kucun-labels-") as folder:
        try:
            out = render_labels(kind, specs, Path(folder) / "labels.pdf")
        except LabelError as problem:
            raise Unprintable(str(problem)) from problem
        return out.read_bytes()


def font_note() -> str | None:
    """Why Chinese would print as empty boxes, or None when a font with Chinese is found."""
    if isinstance(getattr(find_font(True, 24), "path", None), str):
        return None
    return ("no font with Chinese characters found (`fc-list :lang=zh` lists none): Chinese text "
            "prints as boxes; install fonts-noto-cjk or fonts-wqy-microhei, or set KUCUN_LABEL_CJK_FONT")


def page_language(lang: str) -> Lang:
    """`lang` as a language the pages are printed in; 422 naming the ones there are."""
    for known in LANGS:
        if lang == known:
            return known
    raise OfficeError("bad_lang", f"lang is one of {', '.join(LANGS)}, not '{lang}'")


def _dots_per_mm(dpi: int) -> float:
    if dpi not in DOTS_PER_MM:
        raise OfficeError("bad_dpi", f"dpi is one of {sorted(DOTS_PER_MM)}, not {dpi}")
    return DOTS_PER_MM[dpi]

