"""Every value the server keeps encrypted (`server/vault.py`): the TOP app secret and session of
each bound store, and the alert webhook's URL. Read and rewritten together when the key rotates."""

from __future__ import annotations

from dataclasses import dataclass

from server.store.database import Tx


@dataclass(frozen=True)
class Encrypted:
    """One encrypted value: where it is (`table`, row `key`, `column`) and the ciphertext."""

    table: str
    key: str
    column: str
    value: str


# (table, key column, encrypted columns): the one list of where ciphertexts live
LOCATIONS = (
    ("stores", "store_id", ("secret_enc", "session_enc")),
    ("alert_webhook", "id", ("url_enc",)),
)


def encrypted_values(tx: Tx) -> list[Encrypted]:
    """Every ciphertext, rows locked until the transaction ends (PostgreSQL)."""
    found = []
    lock = " FOR UPDATE" if tx.postgresql else ""
    for table, key, columns in LOCATIONS:
        rows = tx.execute(f"SELECT {key} AS row_key, {', '.join(columns)} FROM {table} ORDER BY {key}{lock}")
        for row in rows:
            for column in columns:
                value = getattr(row, column)
                if value:
                    found.append(Encrypted(table, str(row.row_key), column, value))
    return found


def replace(tx: Tx, old: Encrypted, value: str) -> None:
    """Write `value` where `old` was."""
    for table, key, columns in LOCATIONS:
        if table == old.table and old.column in columns:
            row_key: str | int = int(old.key) if table == "alert_webhook" else old.key
            tx.execute(f"UPDATE {table} SET {old.column} = :value WHERE {key} = :row_key",
                       {"value": value, "row_key": row_key})
            return
    raise ValueError(f"{old.table}.{old.column} holds no secret")
