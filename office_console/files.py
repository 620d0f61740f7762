"""Getting a file the API made (a wave's PDF, labels, the sales chart) to the clerk.

In a terminal the clerk names the file (the downloads folder by default) and the console writes it
there (Textual's own delivery opens binary files in text mode in a terminal). Under --web the
browser receives it through Textual's delivery, which posts DeliveryComplete (or DeliveryFailed)
to the app with `name` = the tab that asked, whose status line then says so.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.widget import Widget

from office_console.screens.form import FormScreen
from office_console.session import session_of
from office_console.texts import say
from office_console.views import SAVE_FILE


def save_file(node: Widget, data: bytes, file_name: str, tab_id: str, saved: Callable[[Path], None],
              failed: Callable[[OSError], None]) -> None:
    app = node.app
    if app.is_web:  # the browser shows a PDF or a PNG itself, to print or keep
        app.deliver_binary(io.BytesIO(data), save_filename=file_name, open_method="browser", name=tab_id)
        return
    session = session_of(node)
    default = session.downloads_folder() / file_name

    def write(values: Any) -> None:
        if not values or not values.get("file"):
            return
        path = Path(values["file"]).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as problem:
            failed(problem)
            return
        saved(path.resolve())

    app.push_screen(FormScreen(SAVE_FILE, say(node, "form.save_file", name=file_name), {}, session.client,
                               initial={"file": str(default)}), write)


__all__ = ["save_file"]
