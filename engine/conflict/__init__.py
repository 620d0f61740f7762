"""Pure merge and conflict rules R1–R8 (DESIGN.md §3): values in, values out, no I/O.

Modules: `ledger` (R1), `counts` (R2), `escrow` (R3), `quotas` (R4), `orders` (R5),
`picks` (R6), `proposals` (R7), `dedup` (R8), and `book`, a reference stock ledger built from
R1, R2 and R8 that tests and the simulator compare the server against. Nothing here may import
textual, httpx, sqlite3, sqlite_utils, time or random: callers pass clocks and ids in.
"""
