"""`kucun office --web`: textual-serve, with a page that loads nothing from another host.

textual-serve's own page takes its font from a font CDN; this one declares the same font (Roboto
Mono, shipped in textual-serve's static folder) with @font-face from the server's own /static/, so
the console works on an office network without the internet and tells no outside host who uses it.
Everything else on the page (script, stylesheet, background) was already served locally.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server

from office_console.i18n import DEFAULT_LANGUAGE, Messages

PAGE = """<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>{{ application.name }}</title>
    <link rel="stylesheet" href="{{ config.static.url }}css/xterm.css" />
    <script src="{{ config.static.url }}js/textual.js"></script>
    <style>
      @font-face {
        font-family: "Roboto Mono";
        font-style: normal;
        font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
      }
      @font-face {
        font-family: "Roboto Mono";
        font-style: italic;
        font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype");
      }
      body { background: #0c181f; margin: 0; }
      .dialog-container {
        position: absolute; width: 100vw; height: 100vh; display: flex;
        align-items: center; justify-content: center; z-index: 10;
      }
      .shade {
        position: absolute; width: 100%; height: 100%; background: #0c181f;
        background-image: url("{{ config.static.url }}images/background.png");
      }
      .intro {
        width: 640px; height: 240px; font-size: 16px; z-index: 20;
        font-family: "Roboto Mono", menlo, monospace; text-align: center;
        color: rgba(255, 255, 255, 0.95); background-color: #12232d;
        display: flex; flex-direction: column; align-items: center; justify-content: center; margin: 32px;
      }
      body.-first-byte .intro-dialog, body.-first-byte .intro-dialog .shade {
        opacity: 0; transition: opacity 0.3s ease-out; display: none;
      }
      body .textual-terminal { opacity: 0; transition: opacity 0.3s ease-out; }
      body.-first-byte .textual-terminal { opacity: 1; transition: opacity 0.3s ease-out; }
      body button {
        padding: 16px 32px; background-color: #5e0ba7; color: rgba(255, 255, 255, 0.95);
        border: none; font-family: "Roboto Mono", menlo, monospace; margin: 16px; display: block;
      }
      button:hover { background: #ac5af4; cursor: pointer; }
      .closed-dialog { opacity: 0; display: none; }
      body.-closed .closed-dialog { opacity: 1; display: flex; }
      #start { display: none; }
      #start.-delay { display: flex; }
    </style>
    <script>
      function getStartUrl() {
        const url = new URL(window.location.href);
        const params = new URLSearchParams(url.search);
        params.delete("delay");
        return url.pathname + "?" + params.toString();
      }
      async function refresh() {
        const ping_url = document.body.dataset.pingurl;
        if (ping_url) {
          await fetch(ping_url, { method: "GET", mode: "no-cors" });
        }
        window.location.href = getStartUrl();
      }
    </script>
  </head>
  <body data-pingurl="{{ ping_url }}">
    <div class="dialog-container intro-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div>{{ application.name }}</div>
        <button type="button" onClick="refresh()" id="start">{{ texts.start }}</button>
      </div>
    </div>
    <div class="dialog-container closed-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div class="message">{{ texts.ended }}</div>
        <button type="button" onClick="refresh()">{{ texts.restart }}</button>
      </div>
    </div>
    <div
      id="terminal"
      class="textual-terminal"
      data-session-websocket-url="{{ app_websocket_url }}"
      data-font-size="{{ font_size }}"
    ></div>
  </body>
</html>
"""


class LocalServer(Server):
    """textual-serve with the page above, its few words in `lang`; the routes (the console's
    websocket, /static/, file downloads) are textual-serve's."""

    def __init__(self, command: str, *, lang: str = DEFAULT_LANGUAGE, **options: Any) -> None:
        super().__init__(command, **options)
        messages = Messages(lang)
        self.texts = {name: messages(f"web.{name}") for name in ("start", "ended", "restart")}

    async def _make_app(self) -> web.Application:
        app: web.Application = await super()._make_app()
        page = PAGE.replace("{{ texts.start }}", self.texts["start"]).replace(
            "{{ texts.ended }}", self.texts["ended"]).replace("{{ texts.restart }}", self.texts["restart"])
        aiohttp_jinja2.setup(app, loader=jinja2.DictLoader({"app_index.html": page}))
        return app


__all__ = ["PAGE", "LocalServer"]
