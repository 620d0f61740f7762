"""The schema as SQLite migrations before Alembic (versions 1–13 in `schema_migrations`), frozen.

A database made by kucun before the Alembic baseline is brought to version 13 with these, then
stamped at the baseline revision (`server/store/migrate.py`); new databases never run them. Never
edit them: they are history.
"""

from __future__ import annotations

LEGACY_MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, 'initial', """
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

"""),
    (2, 'tmall', """
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

"""),
    (3, 'office_accounts', """
    CREATE TABLE office_accounts (
        account_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        roles TEXT NOT NULL,
        password_hash TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        created_at_ms BIGINT NOT NULL,
        last_seen_ms BIGINT
    );
    CREATE TABLE office_tokens (
        token_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES office_accounts(account_id),
        label TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        expires_at_ms BIGINT,
        revoked_at_ms BIGINT
    );
    CREATE INDEX office_tokens_by_account ON office_tokens(account_id);
    -- every change the office makes, append-only: who, what, to what, with which detail
    CREATE TABLE office_audit (
        audit_id INTEGER PRIMARY KEY,
        at_ms BIGINT NOT NULL,
        account_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX office_audit_by_target ON office_audit(target)

"""),
    (4, 'products', """
    ALTER TABLE skus ADD COLUMN spec TEXT;
    -- money in fen (1/100 yuan), never floats
    ALTER TABLE skus ADD COLUMN price_cents INTEGER;
    ALTER TABLE skus ADD COLUMN cost_cents INTEGER;
    ALTER TABLE skus ADD COLUMN weight_g INTEGER;
    ALTER TABLE skus ADD COLUMN supplier TEXT;
    ALTER TABLE skus ADD COLUMN lead_time_days INTEGER

"""),
    (5, 'review', """
    -- one review rule per row, its value as JSON (see server/office/review.py DEFAULT_RULES)
    CREATE TABLE review_rules (
        rule TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        updated_by TEXT NOT NULL
    );
    -- the latest review of an order: why it waits, and a supervisor's decision if any
    CREATE TABLE order_reviews (
        order_id TEXT PRIMARY KEY,
        reasons TEXT NOT NULL,
        reviewed_at_ms BIGINT NOT NULL,
        manual TEXT,
        manual_reason TEXT,
        manual_by TEXT,
        manual_at_ms BIGINT,
        approved_by TEXT,
        approved_at_ms BIGINT
    );
    -- a work order (picked, packed and shipped by the terminals) and the Tmall orders it serves:
    -- a merge joins several orders into one work order, a split serves one order by several
    CREATE TABLE order_parts (
        group_id TEXT NOT NULL,
        part_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        closed_at_ms BIGINT,
        closed_why TEXT,
        PRIMARY KEY (part_id, order_id)
    );
    CREATE INDEX order_parts_by_order ON order_parts(order_id);
    CREATE INDEX order_parts_by_group ON order_parts(group_id)

"""),
    (6, 'waves', """
    -- a wave: pick tasks of one warehouse grouped by a rule; state 'open' or 'released' (cancelled)
    CREATE TABLE waves (
        wave_id TEXT PRIMARY KEY,
        warehouse_id TEXT NOT NULL,
        rule TEXT NOT NULL,
        group_key TEXT NOT NULL,
        assign_mode TEXT NOT NULL,
        assignee TEXT,
        state TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        released_at_ms BIGINT,
        released_by TEXT
    );
    CREATE INDEX waves_by_warehouse ON waves(warehouse_id, state);
    CREATE TABLE wave_orders (
        wave_id TEXT NOT NULL REFERENCES waves(wave_id),
        order_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        PRIMARY KEY (wave_id, order_id)
    );
    CREATE INDEX wave_orders_by_order ON wave_orders(order_id);
    -- which zones (leading segment of a bin code) a picker works in, per warehouse
    CREATE TABLE picker_zones (
        warehouse_id TEXT NOT NULL,
        operator_id TEXT NOT NULL,
        zone TEXT NOT NULL,
        PRIMARY KEY (warehouse_id, operator_id, zone)
    )

"""),
    (7, 'counts', """
    CREATE TABLE office_counts (
        count_id TEXT PRIMARY KEY,
        warehouse_id TEXT NOT NULL,
        selection TEXT NOT NULL,
        assignee TEXT,
        state TEXT NOT NULL DEFAULT 'open',
        created_by TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL
    );
    -- the terminal tasks of an office count: a `count` per bin, a `recount` per held (bin, sku);
    -- `counted_*` is the first count op that answered the task (one submission on one terminal)
    CREATE TABLE office_count_tasks (
        task_id TEXT PRIMARY KEY,
        count_id TEXT NOT NULL REFERENCES office_counts(count_id),
        kind TEXT NOT NULL,
        location TEXT NOT NULL,
        sku TEXT,
        issued_at_ms BIGINT NOT NULL,
        counted_device_id TEXT,
        counted_at_ms BIGINT
    );
    CREATE INDEX office_count_tasks_by_location ON office_count_tasks(location);
    CREATE INDEX office_count_tasks_by_count ON office_count_tasks(count_id);
    -- every count op that answered an office count task; `expected` is the book at the count's time
    CREATE TABLE office_count_lines (
        op_id TEXT PRIMARY KEY,
        count_id TEXT NOT NULL REFERENCES office_counts(count_id),
        task_id TEXT NOT NULL,
        location TEXT NOT NULL,
        sku TEXT NOT NULL,
        counted INTEGER NOT NULL,
        expected INTEGER NOT NULL,
        at_ms BIGINT NOT NULL,
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        status TEXT NOT NULL,
        received_at_ms BIGINT NOT NULL,
        decided_by TEXT,
        decided_at_ms BIGINT
    );
    CREATE INDEX office_count_lines_by_key ON office_count_lines(count_id, location, sku);
    -- one row: a count differing from the book by more than this is held and recounted;
    -- NULL leaves a threshold unused; percent in hundredths of a percent
    CREATE TABLE office_count_tolerance (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        units INTEGER,
        percent_bp INTEGER,
        updated_at_ms BIGINT NOT NULL,
        updated_by TEXT NOT NULL
    );
    INSERT INTO office_count_tolerance (id, units, percent_bp, updated_at_ms, updated_by)
    VALUES (1, 0, NULL, 0, 'default')

"""),
    (8, 'transfers', """
    CREATE TABLE transfers (
        transfer_id TEXT PRIMARY KEY,
        number BIGINT NOT NULL UNIQUE,
        from_warehouse TEXT NOT NULL REFERENCES warehouses(warehouse_id),
        to_warehouse TEXT NOT NULL REFERENCES warehouses(warehouse_id),
        state TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        created_by TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        dispatched_at_ms BIGINT,
        receipt_done_at_ms BIGINT,
        closed_at_ms BIGINT,
        cancelled_at_ms BIGINT
    );
    CREATE INDEX transfers_by_state ON transfers(state);
    -- one row per SKU: what the office asked for, what the terminals sent and received
    CREATE TABLE transfer_lines (
        transfer_id TEXT NOT NULL REFERENCES transfers(transfer_id),
        sku TEXT NOT NULL,
        requested INTEGER NOT NULL DEFAULT 0,
        sent INTEGER NOT NULL DEFAULT 0,
        received INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (transfer_id, sku)
    );
    -- how a supervisor settled a difference: qty > 0 left transit, qty < 0 entered it
    CREATE TABLE transfer_resolutions (
        resolution_id INTEGER PRIMARY KEY,
        transfer_id TEXT NOT NULL REFERENCES transfers(transfer_id),
        sku TEXT NOT NULL,
        action TEXT NOT NULL,
        qty INTEGER NOT NULL,
        location TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        by_account TEXT NOT NULL,
        at_ms BIGINT NOT NULL
    );
    CREATE INDEX transfer_resolutions_by_transfer ON transfer_resolutions(transfer_id)

"""),
    (9, 'alerts', """
    -- min/max per SKU and warehouse: the low-stock threshold and the replenishment target
    CREATE TABLE stock_limits (
        sku TEXT NOT NULL,
        warehouse_id TEXT NOT NULL,
        min_qty INTEGER NOT NULL,
        max_qty INTEGER NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        PRIMARY KEY (sku, warehouse_id)
    );
    -- an evaluated alert belongs to an episode ('stock|WH1|SKU-1', 'held|T9'): raised once, cleared
    -- when the condition ends; any alert can be acknowledged
    ALTER TABLE alerts ADD COLUMN episode TEXT;
    ALTER TABLE alerts ADD COLUMN cleared_at_ms BIGINT;
    ALTER TABLE alerts ADD COLUMN acked_at_ms BIGINT;
    ALTER TABLE alerts ADD COLUMN acked_by TEXT;
    CREATE INDEX alerts_by_episode ON alerts(episode, cleared_at_ms);
    -- the last alert already surfaced by an evaluation (alerts written by the sync server too)
    CREATE TABLE alert_cursor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_alert_id BIGINT NOT NULL
    );
    INSERT INTO alert_cursor (id, last_alert_id) SELECT 1, COALESCE(MAX(alert_id), 0) FROM alerts;
    -- where new alerts are POSTed; the URL is encrypted (its query often holds an access token)
    CREATE TABLE alert_webhook (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        url_enc TEXT NOT NULL,
        url_shown TEXT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        updated_by TEXT NOT NULL
    );
    -- one webhook delivery per new alert, retried with back-off until delivered
    CREATE TABLE alert_deliveries (
        alert_id BIGINT PRIMARY KEY,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at_ms BIGINT NOT NULL,
        delivered_at_ms BIGINT,
        last_error TEXT
    );
    CREATE INDEX alert_deliveries_due ON alert_deliveries(delivered_at_ms, next_at_ms)

"""),
    (10, 'reports', """
    CREATE INDEX market_orders_by_modified ON market_orders(modified_ms);
    CREATE INDEX market_orders_by_buyer ON market_orders(buyer_open_uid);
    CREATE INDEX ops_by_kind_at ON ops(kind, at_ms);
    CREATE INDEX ledger_by_at ON ledger(at_ms)

"""),
    (11, 'permission_review', """
    CREATE INDEX ops_by_operator ON ops(operator_id, at_ms);
    -- operators carry no creation time: an operator never seen doing anything is idle since the
    -- first review that listed them
    CREATE TABLE operator_first_seen (
        operator_id TEXT PRIMARY KEY,
        since_ms BIGINT NOT NULL
    )

"""),
    (12, 'indexes', """
    CREATE INDEX IF NOT EXISTS reservations_by_warehouse_sku ON reservations(warehouse_id, sku)

"""),
    (13, 'count_settlement', """
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

"""),
)

LAST_LEGACY_VERSION = 13
