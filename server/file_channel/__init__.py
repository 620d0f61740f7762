"""The file channel: orders a seller takes elsewhere — a second shop platform, wholesale, the
counter — brought into kucun from CSV/XLSX files or typed in by the office, so their units count
against the no-oversell promise like Tmall's.

- `orders.py`: a channel order (`FileOrder`), added once by its own id, cancelled by a later file;
  its units are *claimed*: R4 counts them with `reserved` at once, and they become a paid order as
  soon as no store's quota holds them (`settle_claims`), never by taking units a shop may sell.
- `market.py`: the channel behind the `Marketplace` seam (server/marketplace.py): claims settled
  on every pass, waybills numbered by kucun, nothing published (it lists nothing).
The office's side — reading and checking the file, the API and the CLI — is
`server/office/order_files.py`.
"""
