"""A file-channel store behind the `Marketplace` seam (server/marketplace.py).

Its orders arrive by upload (`server/office/order_files.py`), not by polling, so a pass only
settles the claims that the last publishing round freed. It lists nothing, so nothing is
published to it. A packed order gets a waybill number of kucun's own (`KC-<order id>`, carrier
`SELF`: the seller's own courier account writes it on the parcel); a shipped one is confirmed by
recording it, and the office hands the channel its shipments as a file
(`GET /office/v1/channels/{store_id}/orders?format=xlsx`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.file_channel.orders import settle_claims
from server.store.database import Database
from server.store.marketplace import StoreRow

OWN_CARRIER = "SELF"


class FileMarket:
    publishes = False

    def __init__(self, db: Database, store: StoreRow) -> None:
        self.db, self.store = db, store

    def import_orders(self, now_ms: int) -> tuple[int, int]:
        with self.db.transaction() as tx:
            settle_claims(tx, now_ms, [self.store.store_id])
        return 0, 0

    def request_waybill(self, trade: Mapping[str, Any]) -> tuple[str, str] | None:
        return f"KC-{trade['order_id']}", OWN_CARRIER

    def confirm_shipped(self, trade: Mapping[str, Any], waybill: str, cp_code: str) -> None:
        """Nothing to call: the shipment is recorded (`confirmed_at_ms`) and listed for the channel."""

    def agree_return(self, found: Mapping[str, Any]) -> None:
        """Nothing to call: the channel's refunds and exchanges are the seller's own business outside kucun."""
