"""Seeded stores and listings: same seed, same credentials, nicks, num_iids and sku_ids.

Every store lists every catalog SKU, two SKUs per item in catalog order, quantity 0 at start (kucun
publishes the quotas).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path

from server.tmall.sandbox.model import Item, Sku, Store, StoreCredentials

FALLBACK_CATALOG = ("SKU-1001", "SKU-1002", "SKU-2001", "SKU-2002", "SKU-3001", "SKU-3002")
SKUS_PER_ITEM = 2


def default_catalog() -> list[str]:
    """The SKU codes of kucun's demo site, or the six demo codes if the file is not there."""
    import server

    path = Path(server.__file__).parent.parent / "kucun" / "demo_site.json"
    try:
        codes = [str(entry["sku"]) for entry in json.loads(path.read_text("utf-8"))["skus"]]
    except (OSError, ValueError, KeyError, TypeError):
        return list(FALLBACK_CATALOG)
    return codes or list(FALLBACK_CATALOG)


def build_stores(count: int, seed: int, catalog: Sequence[str], now_ms: int) -> list[Store]:
    """`count` stores with seeded credentials, each listing the whole catalog."""
    if count < 1:
        raise ValueError("a sandbox needs at least one store")
    if len(set(catalog)) != len(catalog) or not catalog:
        raise ValueError("the catalog must be a non-empty list of distinct SKU codes")
    rng = random.Random(f"{seed}:catalog")
    prices = {code: rng.randrange(990, 29_900, 10) for code in catalog}
    num_iid_base = 600_000_000_000 + rng.randrange(10_000) * 100_000
    sku_id_base = 5_000_000_000_000 + rng.randrange(10_000) * 100_000
    stores: list[Store] = []
    for index in range(count):
        credentials = StoreCredentials(
            nick=f"tmall-store-{index + 1}",
            app_key=str(rng.randrange(10_000_000, 100_000_000)),
            app_secret=f"{rng.getrandbits(128):032x}",
            session=f"6{rng.getrandbits(200):050x}",
            user_id=2_200_000_000_000 + rng.randrange(1_000_000_000),
        )
        items: list[Item] = []
        for item_index, start in enumerate(range(0, len(catalog), SKUS_PER_ITEM)):
            codes = catalog[start : start + SKUS_PER_ITEM]
            skus = [
                Sku(
                    sku_id=str(sku_id_base + index * 1_000 + start + offset),
                    outer_id=code,
                    price_cents=prices[code],
                    properties_name=f"1627207:{3232480 + offset}:颜色分类:款式{offset + 1}",
                    modified_ms=now_ms,
                )
                for offset, code in enumerate(codes)
            ]
            items.append(
                Item(
                    num_iid=num_iid_base + index * 1_000 + item_index,
                    title=f"沙箱商品 {item_index + 1} / Sandbox listing {' + '.join(codes)}",
                    outer_id=f"ITEM-{item_index + 1}",
                    modified_ms=now_ms,
                    skus=skus,
                )
            )
        stores.append(Store(credentials=credentials, items=items))
    return stores
