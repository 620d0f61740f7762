"""Printing: a wave's slips and shipping labels as one PDF of 100×150 mm pages whose barcodes scan
back exactly, code labels, the /print endpoints and `kucun admin print`."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from pyzbar import pyzbar  # type: ignore[import-untyped]
from typer.testing import CliRunner

from documents import page_texts
from documents.order_pages import OrderDocument, Receiver, SlipLine
from engine.model import OpKind, ReceivePayload
from server.error_texts import SENTENCES
from server.office import printing
from server.store import marketplace, orders
from tests.office.conftest import OfficeSite

WAYBILL_ORDER = OrderDocument(
    "TM1-3412345678901234567", "WH1", (SlipLine("SKU-1", "保温杯 500ml 白", 2, ("A-01-01",)),),
    store="杭州旗舰店", buyer_nick="tb_王芳", waybill="YT7500123456789", courier="圆通速递 YTO",
    receiver=Receiver("王芳", "138****1234", "浙江省 杭州市 西湖区 文三路 478 号 华星时代广场 A 座 1201 室"))
NO_WAYBILL_ORDER = OrderDocument("T2", "WH2", (SlipLine("SKU-2", "socks", 1, ()),))


def scans(content: bytes, dpi: float = 203.2) -> list[list[str]]:
    """Each page rasterised at `dpi` by pdfium and read by zbar: its barcodes, top to bottom."""
    document = pdfium.PdfDocument(content)
    try:
        found = []
        for page in document:
            image = page.render(scale=dpi / 72).to_pil().convert("L")
            symbols = sorted(pyzbar.decode(image), key=lambda symbol: symbol.rect.top)
            found.append([symbol.data.decode() for symbol in symbols])
        return found
    finally:
        document.close()


def sizes_mm(content: bytes) -> list[tuple[float, float]]:
    document = pdfium.PdfDocument(content)
    try:
        return [(round(page.get_width() / 72 * 25.4, 2), round(page.get_height() / 72 * 25.4, 2))
                for page in document]
    finally:
        document.close()


# --- rendering ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dpi", [203, 300])
def test_each_order_gets_a_slip_then_a_label_and_every_barcode_scans_back(dpi: int) -> None:
    content = printing.render_orders([WAYBILL_ORDER, NO_WAYBILL_ORDER], dpi)
    assert sizes_mm(content) == [(100.0, 150.0)] * 4
    assert scans(content, 203.2 if dpi == 203 else 300) == [
        ["TM1-3412345678901234567"],                      # slip: the order id
        ["YT7500123456789", "TM1-3412345678901234567"],   # label: waybill, then the order id
        ["T2"],
        ["T2"],                              # no waybill yet: the order id (zbar reports it once)
    ]


def test_without_a_waybill_the_label_carries_the_order_id_in_the_waybill_place_too() -> None:
    document = pdfium.PdfDocument(printing.render_orders([NO_WAYBILL_ORDER], documents="labels"))
    try:
        image = document[0].render(scale=203.2 / 72).to_pil().convert("L")
    finally:
        document.close()
    top, bottom = image.crop((0, 0, image.width, image.height * 2 // 5)), image.crop(
        (0, image.height * 2 // 5, image.width, image.height))
    assert [s.data for s in pyzbar.decode(top)] == [s.data for s in pyzbar.decode(bottom)] == [b"T2"]


def test_only_slips_or_only_labels() -> None:
    assert scans(printing.render_orders([WAYBILL_ORDER], documents="labels")) == [
        ["YT7500123456789", "TM1-3412345678901234567"]]
    assert scans(printing.render_orders([WAYBILL_ORDER], documents="slips")) == [
        ["TM1-3412345678901234567"]]


def test_a_long_slip_continues_on_more_pages_each_with_the_order_barcode() -> None:
    lines = tuple(SlipLine(f"SKU-{n}", "保温杯 500ml 白 / Vacuum flask, the large family edition", 1,
                           ("A-01-01", "A-01-02", "B-07-03")) for n in range(40))
    content = printing.render_orders([OrderDocument("T9", "WH1", lines)], documents="slips")
    pages = scans(content)
    assert len(pages) >= 3 and all(page == ["T9"] for page in pages)
    assert set(sizes_mm(content)) == {(100.0, 150.0)}


def test_values_a_barcode_cannot_hold_are_refused() -> None:
    with pytest.raises(printing.Unprintable, match="printable ASCII"):
        printing.render_orders([OrderDocument("订单-1", "WH1", ())])
    with pytest.raises(printing.OfficeError, match="dpi"):
        printing.render_orders([WAYBILL_ORDER], dpi=600)


def test_code_labels_are_60_by_40_mm_and_scan_back() -> None:
    specs = [printing.LabelSpec("A-01-01", "Hangzhou"), printing.LabelSpec("A-01-02", "Hangzhou")]
    content = printing.render_code_labels("bins", specs)
    assert sizes_mm(content) == [(60.0, 40.0)] * 2
    assert scans(content) == [["A-01-01"], ["A-01-02"]]


def test_a_chinese_font_is_found_here_or_the_note_says_how_to_get_one(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from documents import labels

    assert printing.font_note() is None  # this machine has one (fc-list :lang=zh)
    monkeypatch.setenv("KUCUN_LABEL_CJK_FONT", str(tmp_path / "missing.ttc"))
    monkeypatch.setattr(labels, "_cjk_fonts", lambda: ())
    labels._load.cache_clear()
    assert "fonts-noto-cjk" in (printing.font_note() or "")
    assert scans(printing.render_orders([WAYBILL_ORDER], documents="labels"))[0][0] == "YT7500123456789"


# --- what an order's documents say ------------------------------------------------------------


def stock_and_tmall_detail(office: OfficeSite) -> None:
    """SKU-1 in two bins of WH1; T1 a Tmall trade of store 'hz' with a waybill and a receiver."""
    terminal = office.site.terminal("WH1")
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-01", 10), 1)
    terminal.record(OpKind.RECEIVE, "r1", ReceivePayload("SKU-1", "A-01-02", 3), 2)
    terminal.sync()
    with office.db.transaction() as conn:
        conn.execute("INSERT INTO stores (store_id, nick, app_key, secret_enc, session_enc, gateway_url, "
                     "sign_method, created_at_ms) VALUES ('hz', '杭州旗舰店', 'k', 'x', 'x', 'http://x', "
                     "'md5', 1)")
        marketplace.save_market_order(conn, {
            "store_id": "hz", "tid": "3412345678901234567", "order_id": "T1",
            "top_status": "WAIT_SELLER_SEND_GOODS", "modified_ms": 1, "paid": 1, "cp_code": "ZTO",
            "detail": {"buyer_nick": "tb_王芳", "receiver_name": "王芳", "receiver_mobile": "138****1234",
                       "receiver_state": "浙江省", "receiver_city": "杭州市", "receiver_district": "西湖区",
                       "receiver_address": "文三路 478 号"}})
        orders.set_waybill(conn, "T1", "ZT1234567890")


def test_an_order_document_reads_lines_bins_store_buyer_courier_and_receiver(office: OfficeSite) -> None:
    stock_and_tmall_detail(office)
    with office.db.reading() as conn:
        t1, t2 = printing.order_documents(conn, ["T1", "T2", "T1"])
    assert t1 == OrderDocument(
        "T1", "WH1", (SlipLine("SKU-1", "flask", 2, ("A-01-01", "A-01-02")),), store="杭州旗舰店",
        buyer_nick="tb_王芳", waybill="ZT1234567890", courier="中通快递 ZTO",
        receiver=Receiver("王芳", "138****1234", "浙江省 杭州市 西湖区 文三路 478 号"))
    assert t2 == OrderDocument("T2", "WH2", (SlipLine("SKU-2", "socks", 1, ()),))


# --- the endpoints ------------------------------------------------------------------------------


def make_wave(office: OfficeSite, wave_id: str, order_ids: list[str]) -> None:
    with office.db.transaction() as conn:
        conn.execute("INSERT INTO waves (wave_id, warehouse_id, rule, group_key, assign_mode, state, "
                     "created_at_ms, created_by) VALUES (:wave_id, 'WH1', 'single', '', 'none', 'open', 1, "
                     "'sup')", {"wave_id": wave_id})
        for order_id in order_ids:
            conn.execute("INSERT INTO wave_orders (wave_id, order_id, task_id) "
                         "VALUES (:wave_id, :order_id, :task_id)",
                         {"wave_id": wave_id, "order_id": order_id, "task_id": f"pick-{order_id}"})


def snapshot(office: OfficeSite) -> Any:
    with office.db.reading() as conn:
        return [conn.execute(f"SELECT * FROM {table}").fetchall()
                for table in ("orders", "order_lines", "feed", "office_audit", "waves")]


def test_a_waves_pdf(office: OfficeSite) -> None:
    stock_and_tmall_detail(office)
    make_wave(office, "W-1", ["T2", "T1"])
    answer = office.http.get("/office/v1/print/waves/W-1.pdf", headers=office.as_supervisor)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert 'filename="wave-W-1.pdf"' in answer.headers["content-disposition"]
    assert sizes_mm(answer.content) == [(100.0, 150.0)] * 4
    assert scans(answer.content) == [["T1"], ["ZT1234567890", "T1"], ["T2"], ["T2"]]
    at_300 = office.http.get("/office/v1/print/waves/W-1.pdf?dpi=300&documents=labels",
                             headers=office.as_admin)
    assert scans(at_300.content, 300) == [["ZT1234567890", "T1"], ["T2"]]


def test_an_unknown_wave_is_404_and_a_bad_dpi_422(office: OfficeSite) -> None:
    make_wave(office, "W-1", ["T1"])
    before = snapshot(office)
    answer = office.http.get("/office/v1/print/waves/W-404.pdf", headers=office.as_supervisor)
    assert answer.status_code == 404 and answer.json() == {
        "error": "not_found", "detail": "wave 'W-404' does not exist", "message": SENTENCES["not_found"][1]}
    answer = office.http.get("/office/v1/print/waves/W-1.pdf?dpi=96", headers=office.as_supervisor)
    assert answer.status_code == 422 and answer.json()["error"] == "bad_dpi"
    assert snapshot(office) == before


def test_orders_pdf_in_the_order_given(office: OfficeSite) -> None:
    answer = office.http.post("/office/v1/print/orders", headers=office.as_supervisor,
                              json={"order_ids": ["T2", "T1"], "documents": "labels"})
    assert answer.status_code == 200, answer.text
    assert scans(answer.content) == [["T2"], ["T1"]]


# (why, body, status, error, a part of the detail); one site for all rows keeps the suite fast
BAD_ORDER_REQUESTS: list[tuple[str, dict[str, Any], int, str, str]] = [
    ("unknown orders listed", {"order_ids": ["T1", "NOPE", "T2", "GONE"]}, 404, "not_found",
     "unknown order(s): NOPE, GONE"),
    ("no orders", {"order_ids": []}, 422, "bad_request", "order_ids"),
    ("bad dpi", {"order_ids": ["T1"], "dpi": 150}, 422, "bad_dpi", "203, 300"),
    ("bad documents", {"order_ids": ["T1"], "documents": "waybills"}, 422, "bad_request", "documents"),
]


def test_bad_order_requests_are_refused_and_change_nothing(office: OfficeSite) -> None:
    before = snapshot(office)
    for why, body, status, error, detail in BAD_ORDER_REQUESTS:
        answer = office.http.post("/office/v1/print/orders", headers=office.as_supervisor, json=body)
        assert answer.status_code == status, (why, answer.text)
        assert answer.json()["error"] == error and detail in answer.json()["detail"], why
    assert snapshot(office) == before


LABELS: list[tuple[str, list[str], list[list[str]]]] = [
    ("skus", ["SKU-2", "SKU-1"], [["6901234500028"], ["6901234500011"]]),  # their EAN-13s
    ("bins", ["A-01-02", "RECEIVING", "G-A-01"], [["A-01-02"], ["RECEIVING"], ["G-A-01"]]),
    ("totes", ["TOTE-01", "TOTE-02"], [["TOTE-01"], ["TOTE-02"]]),
]


def test_labels_pdf(office: OfficeSite) -> None:
    for kind, codes, expected in LABELS:
        answer = office.http.post("/office/v1/print/labels", headers=office.as_supervisor,
                                  json={"kind": kind, "codes": codes})
        assert answer.status_code == 200, answer.text
        assert sizes_mm(answer.content) == [(60.0, 40.0)] * len(codes), kind
        assert scans(answer.content) == expected, kind


BAD_LABEL_REQUESTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("unknown bins listed", {"kind": "bins", "codes": ["A-01-01", "Z-9", "TOTE-01", "Q"]},
     "unknown_codes", "no such bin: Z-9, TOTE-01, Q"),
    ("unknown sku", {"kind": "skus", "codes": ["SKU-1", "SKU-404"]}, "unknown_codes", "no such sku: SKU-404"),
    ("a bin is not a tote", {"kind": "totes", "codes": ["A-01-01"]}, "unknown_codes", "no such tote: A-01-01"),
    ("bad kind", {"kind": "pallets", "codes": ["A-01-01"]}, "bad_request", "kind"),
    ("no codes", {"kind": "bins", "codes": []}, "bad_request", "codes"),
]


def test_bad_label_requests_are_422_and_change_nothing(office: OfficeSite) -> None:
    before = snapshot(office)
    for why, body, error, detail in BAD_LABEL_REQUESTS:
        answer = office.http.post("/office/v1/print/labels", headers=office.as_supervisor, json=body)
        assert answer.status_code == 422, (why, answer.text)
        assert answer.json()["error"] == error and detail in answer.json()["detail"], why
        assert answer.headers["content-type"] == "application/json", why
    assert snapshot(office) == before


def test_every_print_endpoint_is_guarded(office: OfficeSite) -> None:
    make_wave(office, "W-1", ["T1"])
    office.assert_guarded("get", "/office/v1/print/waves/W-1.pdf")
    office.assert_guarded("post", "/office/v1/print/orders", json={"order_ids": ["T1"]})
    office.assert_guarded("post", "/office/v1/print/labels", json={"kind": "bins", "codes": ["A-01-01"]})


# --- the command line ---------------------------------------------------------------------------


def test_cli_prints_a_wave_and_orders_and_refuses_unknown_ones(office: OfficeSite, tmp_path: Path) -> None:
    from kucun.cli import app

    make_wave(office, "W-1", ["T1", "T2"])
    runner, db = CliRunner(), office.db.target
    wave_pdf, orders_pdf, nothing = tmp_path / "wave.pdf", tmp_path / "orders.pdf", tmp_path / "no.pdf"
    result = runner.invoke(app, ["admin", "--db", db, "print", "wave", "W-1", "--out", str(wave_pdf)])
    assert result.exit_code == 0, result.output
    assert "2 order(s) of wave W-1 written to" in result.output
    assert scans(wave_pdf.read_bytes()) == [["T1"], ["T1"], ["T2"], ["T2"]]
    result = runner.invoke(app, ["admin", "--db", db, "print", "orders", "T2", "--out", str(orders_pdf),
                                 "--documents", "labels", "--dpi", "300"])
    assert result.exit_code == 0, result.output
    assert scans(orders_pdf.read_bytes(), 300) == [["T2"]]
    chinese, english = tmp_path / "zh.pdf", tmp_path / "en.pdf"
    for out, lang in ((chinese, []), (english, ["--lang", "en"])):  # Chinese unless told otherwise
        result = runner.invoke(app, ["admin", "--db", db, "print", "orders", "T2", "--out", str(out), *lang])
        assert result.exit_code == 0, result.output
    assert undated(english.read_bytes()) != undated(chinese.read_bytes())
    assert scans(english.read_bytes()) == scans(chinese.read_bytes()) == [["T2"], ["T2"]]
    result = runner.invoke(app, ["admin", "--db", db, "print", "orders", "T2", "--out", str(nothing), "--lang", "de"])
    assert result.exit_code == 1 and "lang is one of zh, en, not 'de'" in result.output, result.output
    for args in (["wave", "W-404"], ["orders", "T1", "NOPE"], ["labels", "bins", "A-01-01", "Z-9"]):
        result = runner.invoke(app, ["admin", "--db", db, "print", *args, "--out", str(nothing)])
        assert result.exit_code == 1 and "error:" in result.output, result.output
    assert not nothing.exists()


def test_the_benchmark_reports_pages_per_second() -> None:
    from kucun.bench.printing import bench_printing

    result = bench_printing(labels=3)
    assert result.labels == 3 and result.seconds > 0 and "pages/s" in result.report()


# --- languages ----------------------------------------------------------------------------------


def test_the_page_texts_have_the_same_keys_and_fields_in_every_language() -> None:
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    zh = page_texts.TEXTS["zh"]
    assert set(page_texts.LANGS) == set(page_texts.TEXTS)
    for lang in page_texts.LANGS:
        texts = page_texts.TEXTS[lang]
        assert set(texts) == set(zh), lang
        assert {key: fields(text) for key, text in texts.items()} == {key: fields(text) for key, text in zh.items()}
        assert all(text.strip() for text in texts.values()), lang


def test_pages_in_english_differ_from_chinese_and_still_scan() -> None:
    chinese = printing.render_orders([WAYBILL_ORDER, NO_WAYBILL_ORDER])
    english = printing.render_orders([WAYBILL_ORDER, NO_WAYBILL_ORDER], lang="en")
    assert undated(chinese) == undated(printing.render_orders([WAYBILL_ORDER, NO_WAYBILL_ORDER], lang="zh"))  # the default
    assert undated(english) != undated(chinese)
    assert scans(english) == scans(chinese)
    with pytest.raises(printing.OfficeError) as refused:
        printing.render_orders([WAYBILL_ORDER], lang="fr")
    assert (refused.value.code, refused.value.status) == ("bad_lang", 422)
    assert refused.value.detail == "lang is one of zh, en, not 'fr'"


def undated(content: bytes) -> bytes:
    """A PDF without the creation and modification times Pillow writes (two renders of the same
    pages a second apart differ only there)."""
    return re.sub(rb"/(CreationDate|ModDate) \(D:[^)]*\)", b"", content)


def test_the_print_endpoints_take_a_language_and_refuse_an_unknown_one(office: OfficeSite) -> None:
    stock_and_tmall_detail(office)
    make_wave(office, "W-1", ["T1"])
    before = snapshot(office)
    chinese = office.http.get("/office/v1/print/waves/W-1.pdf", headers=office.as_supervisor)
    english = office.http.get("/office/v1/print/waves/W-1.pdf?lang=en", headers=office.as_supervisor)
    assert chinese.status_code == english.status_code == 200
    assert undated(english.content) != undated(chinese.content)
    assert scans(english.content) == scans(chinese.content)
    posted = office.http.post("/office/v1/print/orders", headers=office.as_supervisor,
                              json={"order_ids": ["T1"], "lang": "en"})
    assert posted.status_code == 200 and undated(posted.content) == undated(english.content)
    for answer in (
        office.http.get("/office/v1/print/waves/W-1.pdf?lang=de", headers=office.as_supervisor),
        office.http.post("/office/v1/print/orders", headers=office.as_supervisor,
                         json={"order_ids": ["T1"], "lang": "de"}),
    ):
        assert answer.status_code == 422
        assert answer.json() == {"error": "bad_lang", "detail": "lang is one of zh, en, not 'de'",
                                 "message": SENTENCES["bad_lang"][1]}
    assert snapshot(office) == before
