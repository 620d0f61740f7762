"""TOP signing against the vectors of TOP.md §1."""

from __future__ import annotations

import pytest

from server.tmall.signing import sign, sign_string

SECRET = "helloworld"
BASE = {
    "method": "taobao.item.seller.get",
    "app_key": "12345678",
    "session": "test",
    "timestamp": "2016-01-01 12:00:00",
    "format": "json",
    "v": "2.0",
    "fields": "num_iid,title,nick,price,num",
    "num_iid": "11223344",
}


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        pytest.param("md5", "66987CB115214E59E6EC978214934FB8", id="md5-official"),
        pytest.param("hmac", "D56D7858309C31B6251083A874D48273", id="hmac-computed"),
        pytest.param(
            "hmac-sha256", "04DB15AD0774D5CFCE2C837DE43E3FCEA9011ED74F3038FB6AB5F3C4CEA119E8", id="hmac-sha256-computed"
        ),
    ],
)
def test_vectors(method: str, expected: str) -> None:
    assert sign({**BASE, "sign_method": method}, SECRET, method) == expected


def test_sign_string_of_the_official_vector() -> None:
    assert sign_string({**BASE, "sign_method": "md5"}) == (
        "app_key12345678fieldsnum_iid,title,nick,price,numformatjsonmethodtaobao.item.seller.get"
        "num_iid11223344sessiontestsign_methodmd5timestamp2016-01-01 12:00:00v2.0"
    )


def test_sign_itself_is_not_signed() -> None:
    params = {**BASE, "sign_method": "md5"}
    assert sign({**params, "sign": "WHATEVER"}, SECRET, "md5") == sign(params, SECRET, "md5")


def test_empty_values_are_skipped() -> None:
    params = {**BASE, "sign_method": "hmac-sha256"}
    assert sign({**params, "seller_memo": ""}, SECRET, "hmac-sha256") == sign(params, SECRET, "hmac-sha256")
    assert "seller_memo" not in sign_string({**params, "seller_memo": ""})


def test_every_value_counts() -> None:
    params = {**BASE, "sign_method": "hmac"}
    assert sign({**params, "num_iid": "11223345"}, SECRET, "hmac") != sign(params, SECRET, "hmac")
    assert sign(params, "other-secret", "hmac") != sign(params, SECRET, "hmac")


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="sign_method"):
        sign({**BASE, "sign_method": "sha1"}, SECRET, "sha1")
