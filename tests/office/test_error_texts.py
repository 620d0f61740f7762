"""Every error code the server answers has a sentence in Chinese and in English (found by reading
the server's source, so a new code without its sentences fails here), and the office API says it as
`message` in the request's language beside the unchanged `error` and `detail`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from server.error_texts import SENTENCES, language_asked, sentence
from server.http_edge import STATUS_CODES
from tests.office.conftest import OfficeSite

SERVER = Path(__file__).resolve().parents[2] / "server"
NOT_SCANNED = ("tmall/sandbox/",)  # the fake Tmall answers in Tmall's words, not the office API's
CJK = re.compile(r"[\u4e00-\u9fff]")
PASSED_ON = {("transfers.py", "_bad")}
"""Functions that pass a code given to them on to `OfficeError` (their callers give it as text)."""


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def _text(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def raised_codes() -> tuple[dict[str, list[str]], list[str]]:
    """(code → where it is raised, codes the source computes and so cannot be read) over server/:
    `OfficeError("code", …)`, a subclass's `super().__init__("code", …)` or `self.code = "code"`, a
    helper annotated `-> OfficeError` called with the code, `{"error": "code"}`, `error_answer(status,
    "code", …)`, and the edge's `STATUS_CODES`."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(SERVER.rglob("*.py"))
             if not any(part in path.relative_to(SERVER).as_posix() for part in NOT_SCANNED)}
    bases = {node.name: {_name(b) for b in node.bases} for tree in trees.values()
             for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    errors = {"OfficeError"}
    while grown := {name for name, of in bases.items() if of & errors} - errors:
        errors |= grown
    makers = {"OfficeError"} | {node.name for tree in trees.values() for node in ast.walk(tree)
                                if isinstance(node, ast.FunctionDef) and node.returns is not None
                                and _name(node.returns) == "OfficeError"}
    codes: dict[str, list[str]] = {code: ["server/http_edge.py STATUS_CODES"] for code in STATUS_CODES.values()}
    unreadable: list[str] = []

    def found(code: str | None, where: str, node: ast.AST) -> None:
        if code is None:
            unreadable.append(f"{where}:{getattr(node, 'lineno', 0)} {ast.unparse(node)[:80]}")
        else:
            codes.setdefault(code, []).append(f"{where}:{getattr(node, 'lineno', 0)}")

    for path, tree in trees.items():
        where = path.relative_to(SERVER.parent).as_posix()
        for scope in ast.walk(tree):
            in_error = isinstance(scope, ast.ClassDef) and scope.name in errors - {"OfficeError"}
            for node in ast.walk(scope) if in_error else ():
                # the code is the first argument of OfficeError's own __init__, not of a subclass's
                if (isinstance(node, ast.Call) and _name(node.func) == "__init__" and node.args
                        and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call)
                        and _name(node.func.value.func) == "super" and "OfficeError" in bases[scope.name]):
                    found(_text(node.args[0]), where, node)
                if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "code"
                                                        for t in node.targets):
                    found(_text(node.value), where, node)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in makers and node.args:
                inside = [f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
                          and f.lineno <= node.lineno <= (f.end_lineno or f.lineno)]
                if not any((path.name, name) in PASSED_ON for name in inside):
                    found(_text(node.args[0]), where, node)
            if isinstance(node, ast.Call) and _name(node.func) == "error_answer" and len(node.args) > 1:
                if _text(node.args[1]) is not None:
                    found(_text(node.args[1]), where, node)
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if key is not None and _text(key) == "error" and _text(value) is not None:
                        found(_text(value), where, node)
    return codes, unreadable


def test_every_code_the_server_raises_is_said_in_chinese_and_english() -> None:
    codes, unreadable = raised_codes()
    assert {"not_shipped", "locked", "too_many_attempts", "unauthorized", "forbidden", "bad_rows", "bad_order",
            "unavailable", "internal_error", "body_too_large", "not_found"} <= set(codes)
    assert len(codes) > 60  # the scan reads the source
    assert not unreadable, "codes the test cannot read (give them as text):\n" + "\n".join(unreadable)
    missing = {code: where for code, where in codes.items() if code not in SENTENCES}
    assert not missing, f"codes without sentences in server/error_texts.py: {missing}"
    for code in codes:
        zh, en = SENTENCES[code]
        assert zh.strip() and en.strip(), code
        assert CJK.search(zh), (code, zh)
        assert not CJK.search(en), (code, en)


@pytest.mark.parametrize(("query", "header", "language"), [
    (b"", None, "en"),
    (b"", "zh", "zh"),
    (b"", "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    (b"", "zh-Hans", "zh"),
    (b"", "en-US,en;q=0.9", "en"),
    (b"", "fr-FR, de", "en"),
    (b"", "fr, zh;q=0.5", "zh"),
    (b"", "en;q=0.4, zh-TW;q=0.6", "zh"),
    (b"", "zh;q=0, en", "en"),
    (b"", "zh;q=abc", "en"),
    (b"lang=zh", "en", "zh"),
    (b"lang=en", "zh-CN", "en"),
    (b"lang=fr", "zh", "zh"),
], ids=["none", "zh", "zh-CN-first", "zh-Hans", "en-US", "neither", "zh-lower-q", "q-order", "q-zero",
        "bad-q", "query-zh", "query-en", "query-unknown"])
def test_the_language_asked(query: bytes, header: str | None, language: str) -> None:
    assert language_asked(query, header) == language


def test_a_code_without_a_sentence_has_none() -> None:
    assert sentence("no_such_code", "zh") is None
    assert sentence("not_shipped", "zh") == "订单尚未发货，还不能登记退货。"


def _expect_t2(office: OfficeSite, headers: dict[str, str], path: str = "/office/v1/returns") -> dict[str, str]:
    answer = office.call("post", path, {**office.as_supervisor, **headers},
                         json={"order_id": "T2", "kind": "return", "lines": [{"sku": "SKU-2", "qty": 1}]})
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"] == "not_shipped"
    return dict(answer.json()) | {"content-language": answer.headers.get("content-language", "")}


def test_a_refusal_says_its_message_in_the_language_asked(office: OfficeSite) -> None:
    zh = _expect_t2(office, {"accept-language": "zh-CN,zh;q=0.9"})
    en = _expect_t2(office, {})
    assert zh["message"] == "订单尚未发货，还不能登记退货。" and zh["content-language"] == "zh"
    assert en["message"] == SENTENCES["not_shipped"][1] and en["content-language"] == "en"
    assert zh["detail"] == en["detail"] and "T2" in en["detail"] and not CJK.search(en["detail"])
    assert _expect_t2(office, {"accept-language": "en"}, "/office/v1/returns?lang=zh")["message"] == zh["message"]
    assert _expect_t2(office, {"accept-language": "zh"}, "/office/v1/returns?lang=en")["message"] == en["message"]


def test_every_kind_of_office_error_answer_says_its_message(office: OfficeSite) -> None:
    zh = {"accept-language": "zh"}
    refusals = [
        (office.call("get", "/office/v1/me", zh), 401, "unauthorized"),  # from the token check
        (office.call("get", "/office/v1/accounts", {**office.as_supervisor, **zh}), 403, "forbidden"),
        (office.call("get", "/office/v1/no-such-thing", {**office.as_supervisor, **zh}), 404, "not_found"),
        (office.call("post", "/office/v1/returns", {**office.as_supervisor, **zh}, json={}), 422, "bad_request"),
        (office.call("post", "/office/v1/products/import?filename=p.csv", {**office.as_admin, **zh},
                     content=b"sku,name\n,nameless\n"), 422, "bad_rows"),
    ]
    for answer, status, code in refusals:
        assert answer.status_code == status, answer.text
        body = answer.json()
        assert body["error"] == code and body["detail"] and body["message"] == SENTENCES[code][0], body
    assert refusals[-1][0].json()["problems"], "an import refused still lists its problems"


def test_a_code_without_a_sentence_answers_no_message_and_the_sync_api_none(
        office: OfficeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(SENTENCES, "not_shipped")
    body = _expect_t2(office, {"accept-language": "zh"})
    assert "message" not in body and body["content-language"] == ""
    answer = office.call("get", "/v1/no-such-thing", {"accept-language": "zh"})
    assert answer.status_code == 404 and set(answer.json()) == {"error", "detail"}
