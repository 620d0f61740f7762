"""CSV and XLSX round trips: what the office exports, it can read back, Chinese and long barcodes intact."""

from __future__ import annotations

import pytest

from server.office.accounts import OfficeError
from server.office.tabular import read_table, to_csv, to_xlsx

ROWS = [{"sku": "SKU-1", "name": "保温杯 500ml", "barcode": "6901234500011"},
        {"sku": "SKU-2", "name": "socks, wool", "barcode": None}]


@pytest.mark.parametrize("suffix,write", [(".csv", to_csv), (".xlsx", to_xlsx)])
def test_round_trip(suffix: str, write: object) -> None:
    data = write(["sku", "name", "barcode"], ROWS)  # type: ignore[operator]
    rows = read_table("export" + suffix, data)
    assert rows == [(2, {"sku": "SKU-1", "name": "保温杯 500ml", "barcode": "6901234500011"}),
                    (3, {"sku": "SKU-2", "name": "socks, wool", "barcode": ""})]


def test_excel_gb18030_csv_and_blank_rows() -> None:
    data = "SKU,Name\r\nSKU-1,保温杯\r\n,\r\nSKU-2,袜子\r\n".encode("gb18030")
    assert read_table("a.csv", data) == [(2, {"sku": "SKU-1", "name": "保温杯"}),
                                         (4, {"sku": "SKU-2", "name": "袜子"})]


@pytest.mark.parametrize("name,data", [("a.pdf", b"%PDF"), ("a.xlsx", b"not a zip"), ("a.csv", b"")])
def test_unreadable_files_are_refused(name: str, data: bytes) -> None:
    with pytest.raises(OfficeError):
        read_table(name, data)
