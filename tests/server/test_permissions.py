"""The role → op kinds table: sensible defaults, replaceable by configuration."""

from __future__ import annotations

import json

import pytest

from server.errors import ConfigError
from server.permissions import Permissions


@pytest.mark.parametrize(
    "roles, action, allowed",
    [
        pytest.param(["picker"], "pick", True, id="a picker picks"),
        pytest.param(["picker"], "write_off", False, id="a picker may not write off"),
        pytest.param(["picker"], "count", False, id="a picker may not count"),
        pytest.param(["counter"], "count", True, id="a counter counts"),
        pytest.param(["receiver"], "receive", True, id="a receiver receives"),
        pytest.param(["packer"], "ship", True, id="a packer ships"),
        pytest.param(["picker", "packer"], "pack", True, id="roles add up"),
        pytest.param(["supervisor"], "write_off", True, id="a supervisor writes off"),
        pytest.param(["picker"], "link_barcode", False, id="a picker only proposes barcodes"),
        pytest.param(["admin"], "link_barcode", True, id="an admin links barcodes"),
        pytest.param([], "pick", False, id="no role, no op"),
    ],
)
def test_default_permissions(roles, action, allowed):
    assert Permissions().allows(roles, action) is allowed


def test_a_permissions_file_replaces_the_roles_it_names(tmp_path):
    path = tmp_path / "perm.json"
    path.write_text(json.dumps({"picker": ["pick", "write_off"]}))
    table = Permissions.from_file(path)
    assert table.allows(["picker"], "write_off")
    assert not table.allows(["picker"], "move")
    assert table.allows(["counter"], "count")


def test_a_permissions_file_with_an_unknown_kind_is_refused(tmp_path):
    path = tmp_path / "perm.json"
    path.write_text(json.dumps({"picker": ["teleport"]}))
    with pytest.raises(ConfigError, match="teleport"):
        Permissions.from_file(path)
