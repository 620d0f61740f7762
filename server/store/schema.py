"""Numbered schema migrations of the server store. Never edit a shipped migration: add the next one.

The SQL is kept portable (no SQLite-only types or upserts beyond `ON CONFLICT ... DO UPDATE`, which
PostgreSQL shares) so that a PostgreSQL store can run the same statements.
"""

from __future__ import annotations

from server.office.migrations import OFFICE_MIGRATIONS

CORE_MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "initial",
        """
        CREATE TABLE warehouses (
            warehouse_id TEXT PRIMARY KEY,
            name TEXT NOT NULL
        );
        CREATE TABLE locations (
            code TEXT PRIMARY KEY,
            warehouse_id TEXT NOT NULL REFERENCES warehouses(warehouse_id),
            kind TEXT NOT NULL
        );
        CREATE TABLE skus (
            sku TEXT PRIMARY KEY,
            name TEXT NOT NULL
        );
        CREATE TABLE barcodes (
            barcode TEXT PRIMARY KEY,
            sku TEXT NOT NULL REFERENCES skus(sku)
        );
        CREATE INDEX barcodes_by_sku ON barcodes(sku);
        CREATE TABLE operators (
            operator_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            pin_hash TEXT NOT NULL,
            roles TEXT NOT NULL,
            warehouses TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE devices (
            device_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            warehouse_id TEXT NOT NULL REFERENCES warehouses(warehouse_id),
            token_hash TEXT NOT NULL UNIQUE,
            next_seq INTEGER NOT NULL DEFAULT 1,
            enrolled_at_ms BIGINT NOT NULL,
            last_seen_ms BIGINT
        );
        CREATE TABLE enrollment_codes (
            code_hash TEXT PRIMARY KEY,
            warehouse_id TEXT NOT NULL REFERENCES warehouses(warehouse_id),
            created_at_ms BIGINT NOT NULL,
            expires_at_ms BIGINT NOT NULL,
            used_at_ms BIGINT,
            device_id TEXT
        );
        -- the first answer to every op, by op_id (R8)
        CREATE TABLE ops (
            op_id TEXT PRIMARY KEY,
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            operator_id TEXT NOT NULL,
            at_ms BIGINT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL,
            code TEXT,
            reason TEXT,
            received_at_ms BIGINT NOT NULL,
            UNIQUE (device_id, seq)
        );
        -- every op answered, duplicates included, append-only
        CREATE TABLE audit_log (
            audit_id INTEGER PRIMARY KEY,
            at_ms BIGINT NOT NULL,
            device_id TEXT NOT NULL,
            operator_id TEXT NOT NULL,
            op_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            code TEXT,
            reason TEXT,
            payload TEXT NOT NULL
        );
        CREATE INDEX audit_by_op ON audit_log(op_id);
        -- the stock ledger (DESIGN §2): append-only moves
        CREATE TABLE ledger (
            entry_id INTEGER PRIMARY KEY,
            sku TEXT NOT NULL,
            qty INTEGER NOT NULL CHECK (qty > 0),
            from_location TEXT NOT NULL,
            to_location TEXT NOT NULL,
            at_ms BIGINT NOT NULL,
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            op_id TEXT NOT NULL,
            is_adjustment INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX ledger_from ON ledger(from_location, sku);
        CREATE INDEX ledger_to ON ledger(to_location, sku);
        -- on_hand cache, updated in the same transaction as the ledger
        CREATE TABLE stock (
            location TEXT NOT NULL,
            sku TEXT NOT NULL,
            on_hand INTEGER NOT NULL,
            PRIMARY KEY (location, sku)
        );
        CREATE TABLE counts (
            count_id INTEGER PRIMARY KEY,
            location TEXT NOT NULL,
            sku TEXT NOT NULL,
            counted INTEGER NOT NULL,
            at_ms BIGINT NOT NULL,
            device_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            op_id TEXT NOT NULL
        );
        CREATE INDEX counts_by_key ON counts(location, sku);
        CREATE TABLE orders (
            order_id TEXT PRIMARY KEY,
            warehouse_id TEXT NOT NULL,
            state TEXT NOT NULL,
            waybill TEXT,
            updated_at_ms BIGINT NOT NULL
        );
        CREATE TABLE order_lines (
            order_id TEXT NOT NULL REFERENCES orders(order_id),
            line_id TEXT NOT NULL,
            sku TEXT NOT NULL,
            qty INTEGER NOT NULL,
            picked INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (order_id, line_id)
        );
        -- where the picked goods of an order are, so shipping and put-backs move them
        CREATE TABLE order_picks (
            order_id TEXT NOT NULL,
            location TEXT NOT NULL,
            sku TEXT NOT NULL,
            qty INTEGER NOT NULL,
            PRIMARY KEY (order_id, location, sku)
        );
        CREATE TABLE tasks (
            task_id TEXT PRIMARY KEY,
            warehouse_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            assignee TEXT,
            data TEXT NOT NULL,
            created_at_ms BIGINT NOT NULL
        );
        -- R3: stock an offline terminal may remove without an order
        CREATE TABLE escrows (
            task_id TEXT NOT NULL,
            location TEXT NOT NULL,
            sku TEXT NOT NULL,
            remaining INTEGER NOT NULL,
            PRIMARY KEY (task_id, location, sku)
        );
        CREATE TABLE alerts (
            alert_id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            warehouse_id TEXT,
            data TEXT NOT NULL,
            at_ms BIGINT NOT NULL
        );
        -- the pull feed: the latest version of every entity in every scope ('*' = all warehouses)
        CREATE TABLE feed (
            entity TEXT NOT NULL,
            entity_key TEXT NOT NULL,
            scope TEXT NOT NULL,
            seq BIGINT NOT NULL,
            data TEXT,
            PRIMARY KEY (entity, entity_key, scope)
        );
        CREATE INDEX feed_by_seq ON feed(scope, seq);
        CREATE TABLE feed_clock (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            last_seq BIGINT NOT NULL
        );
        INSERT INTO feed_clock (id, last_seq) VALUES (1, 0);
        """,
    ),
    (
        2,
        "tmall",
        """
        -- a bound Tmall store; the app secret and session are encrypted at rest
        CREATE TABLE stores (
            store_id TEXT PRIMARY KEY,
            nick TEXT NOT NULL,
            app_key TEXT NOT NULL,
            secret_enc TEXT NOT NULL,
            session_enc TEXT NOT NULL,
            gateway_url TEXT NOT NULL,
            sign_method TEXT NOT NULL,
            share INTEGER NOT NULL DEFAULT 1,
            safety INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'ok',
            status_detail TEXT,
            imported_through_ms BIGINT,
            created_at_ms BIGINT NOT NULL
        );
        -- which listing on the store sells which SKU (by outer_sku_id)
        CREATE TABLE store_skus (
            store_id TEXT NOT NULL REFERENCES stores(store_id),
            sku TEXT NOT NULL REFERENCES skus(sku),
            num_iid BIGINT NOT NULL,
            sku_id TEXT NOT NULL,
            PRIMARY KEY (store_id, sku)
        );
        -- R4: what each store was granted (live quantity + sold but not imported)
        CREATE TABLE store_quotas (
            store_id TEXT NOT NULL,
            sku TEXT NOT NULL,
            quota INTEGER NOT NULL DEFAULT 0,
            held INTEGER NOT NULL DEFAULT 0,
            based_at_ms BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (store_id, sku)
        );
        -- every Tmall trade seen, idempotent by (store, tid)
        CREATE TABLE market_orders (
            store_id TEXT NOT NULL,
            tid TEXT NOT NULL,
            order_id TEXT NOT NULL UNIQUE,
            top_status TEXT NOT NULL,
            modified_ms BIGINT NOT NULL,
            paid INTEGER NOT NULL DEFAULT 0,
            counted_in_quota INTEGER NOT NULL DEFAULT 0,
            hold_reason TEXT,
            waybill TEXT,
            cp_code TEXT,
            confirmed_at_ms BIGINT,
            return_expected INTEGER NOT NULL DEFAULT 0,
            buyer_open_uid TEXT,
            oaid TEXT,
            detail TEXT NOT NULL,
            PRIMARY KEY (store_id, tid)
        );
        -- units of accepted, unshipped orders allocated to a warehouse (DESIGN §2 reserved)
        CREATE TABLE reservations (
            order_id TEXT NOT NULL,
            warehouse_id TEXT NOT NULL,
            sku TEXT NOT NULL,
            qty INTEGER NOT NULL,
            PRIMARY KEY (order_id, sku)
        );
        -- SKUs whose sellable quantity changed since the last publish
        CREATE TABLE publish_queue (
            sku TEXT PRIMARY KEY,
            queued_at_ms BIGINT NOT NULL
        );
        CREATE TABLE warehouse_priority (
            warehouse_id TEXT PRIMARY KEY,
            priority INTEGER NOT NULL
        );
        ALTER TABLE orders ADD COLUMN hold_reason TEXT
        """,
    ),
    (
        13,
        "count_settlement",
        """
        -- when each device last pulled: it had pushed everything it recorded before that (DESIGN §4 client)
        ALTER TABLE devices ADD COLUMN last_pull_ms BIGINT;
        -- counts whose escrow (and any units they found) wait until no earlier move can still arrive
        CREATE TABLE count_settlements (
            op_id TEXT PRIMARY KEY,
            warehouse_id TEXT NOT NULL,
            location TEXT NOT NULL,
            sku TEXT NOT NULL,
            received_at_ms BIGINT NOT NULL
        );
        CREATE INDEX count_settlements_by_warehouse ON count_settlements(warehouse_id)
        """,
    ),
)

# The office adds its own numbered migrations, one module each (server/office/migrations/).
MIGRATIONS: tuple[tuple[int, str, str], ...] = tuple(sorted(CORE_MIGRATIONS + OFFICE_MIGRATIONS))
