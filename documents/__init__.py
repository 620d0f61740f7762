"""What kucun prints, drawn with Pillow and python-barcode: no database, no network, no UI.

Modules: `labels` (60×40 mm SKU, bin and tote labels and the terminal's 100×150 mm shipping label,
as PNG or PDF, and the drawing primitives: Code 128 / EAN-13 symbols, text with a CJK font) and
`order_pages` (the office's packing slips and shipping labels, 100×150 mm PDF pages, their
fixed texts in Chinese or English from `page_texts`). The terminal
and the server both import it; it imports neither.
"""
