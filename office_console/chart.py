"""The API's PNG chart drawn with half blocks: each character cell shows two pixels, its upper
half in the foreground colour and its lower half in the background, so the chart the browser
shows is the one the terminal shows."""

from __future__ import annotations

import io

from PIL import Image
from rich.color import Color
from rich.style import Style
from rich.text import Text

UPPER_HALF = "▀"


def png_as_text(png: bytes, columns: int, rows: int) -> Text:
    """The image scaled to `columns` × `rows` character cells."""
    image = Image.open(io.BytesIO(png)).convert("RGB").resize((max(1, columns), max(1, rows) * 2),
                                                              Image.Resampling.LANCZOS)
    width, rgb = image.width, image.tobytes()  # three bytes a pixel, row after row

    def colour(x: int, y: int) -> Color:
        at = 3 * (y * width + x)
        return Color.from_rgb(rgb[at], rgb[at + 1], rgb[at + 2])

    text = Text(no_wrap=True, overflow="crop")
    for y in range(0, image.height, 2):
        for x in range(width):
            text.append(UPPER_HALF, Style(color=colour(x, y), bgcolor=colour(x, y + 1)))
        if y + 2 < image.height:
            text.append("\n")
    return text


def chart_pixels(columns: int, rows: int, smallest: int = 200, largest: int = 3000) -> tuple[int, int]:
    """The PNG size to ask for: about 10 pixels a column, the cells' shape kept (a cell is about
    twice as high as wide), within what the API draws."""
    width = min(max(columns * 10, smallest), largest)
    height = min(max(rows * 20, smallest), largest)
    return width, height
