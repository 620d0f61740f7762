"""The office console: a Textual app over the office API (`kucun office`), in a terminal or a browser.

`app.OfficeApp` (the app, its menu and keys) · `views` (what each screen shows, as data) ·
`calls` (the API calls behind the actions) · `typed_lines` (lines typed as `SKU:QTY[:PRICE]`) ·
`table_view` / `reports_view` (the screens) · `screens/` (log in, forms, details, choices) ·
`client` (the API) · `i18n` (every string, zh and en) · `web` (--web, served without outside hosts).
"""
