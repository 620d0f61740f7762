"""The Textual scanning client for handheld terminals."""

import os

# Textual repaints a changed screen at most TEXTUAL_FPS times a second (default 60), and a change
# made just after a repaint waits one to two frame periods for the next. A scanner's burst is
# always repainted (its echo in the scan field) a few ms before the answer is ready, so at 60 the
# answer waited 17-33 ms, most of the 50 ms scan-to-feedback budget (`kucun bench terminal`).
# Frames are still only drawn when something changed. Set before Textual is first imported; an
# operator's own TEXTUAL_FPS wins.
os.environ.setdefault("TEXTUAL_FPS", "240")
