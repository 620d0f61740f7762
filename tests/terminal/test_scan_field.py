"""The scan field and the lines around it: a scanner's burst answered at once, a person's typing
shown and editable, the result line sized to its text, headers and detail rows repainted only
where they changed and still right."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App
from textual.pilot import Pilot

from terminal_app.screens.base import ScanScreen
from terminal_app.widgets import DetailList, ResultLine, ScanInput
from terminal_app.widgets.plain_text import _unwrapped_lines
from terminal_app.widgets.scan_input import ECHO_DELAY_S
from tests.harness import Site
from tests.terminal.pilot import (
    SMALL,
    app_on,
    drain,
    open_workflow,
    scan,
    screen_text,
    text_of,
    type_burst,
)

pytestmark = pytest.mark.anyio

FLASK = "6901234500011"


async def test_enter_answers_the_scan_before_the_field_is_painted_again(site: Site):
    """The answer is ready when the Enter key has been handled, so the frame that clears the
    field shows it too (with a message to the screen in between, a frame showing the cleared
    field and the old answer was painted first, and the answer waited for the next one)."""
    app = app_on(site.terminal(), None)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "r1", "3333", "receive")
        screen = app.screen
        assert isinstance(screen, ScanScreen)
        field = screen.query_one("#scan", ScanInput)
        seen: list[object] = []
        submit = field.action_submit

        async def watched_submit() -> None:
            await submit()
            seen.append(screen.last_step)

        field.action_submit = watched_submit  # type: ignore[method-assign]
        await scan(pilot, FLASK)
        assert len(seen) == 1 and seen[0] is not None
        assert seen[0].ok and seen[0].fields["sku"] == "SKU-1"  # type: ignore[attr-defined]
        assert field.value == ""
        assert "+1 SKU-1 flask → RECEIVING" in text_of(pilot, "#result")


async def past_the_echo_delay(pilot: Pilot[None]) -> None:
    await asyncio.sleep(ECHO_DELAY_S * 3)
    await drain(pilot)


async def test_typed_characters_show_in_the_field_and_can_be_edited(site: Site):
    app = app_on(site.terminal(), None)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "p1", "1111", "lookup")
        field = app.screen.query_one("#scan", ScanInput)
        await type_burst(pilot, "69012", enter=False)
        await past_the_echo_delay(pilot)
        assert field.value == "69012" and field.cursor_position == 5

        await pilot.press("backspace")  # edits what is shown, typed or still waiting
        await type_burst(pilot, "345000", enter=False)
        await pilot.press("backspace", "left", "left")
        await type_burst(pilot, "X", enter=False)
        await past_the_echo_delay(pilot)
        assert field.value == "6901345X00"

        await pilot.press("end")
        await type_burst(pilot, "1")  # Enter takes what is shown and what is still waiting
        assert field.value == ""
        assert "6901345X001" in text_of(pilot, "#result")


async def test_the_result_line_takes_the_height_of_its_text(site: Site):
    app = app_on(site.terminal(), None)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "p1", "1111", "lookup")
        result = app.screen.query_one("#result", ResultLine)
        await scan(pilot, FLASK)
        assert result.size.height == 1
        await scan(pilot, "ZZ")  # unknown: the error and, on its own line, the raw code
        assert result.text.count("\n") == 1 and result.size.height == 2
        await scan(pilot, "ZY")  # as tall: no new layout needed, the text still changes
        assert "ZY" in text_of(pilot, "#result") and result.size.height == 2
        await scan(pilot, FLASK)
        assert result.size.height == 1
        await scan(pilot, "6901234500099")  # the error is wider than the 40-column screen: wraps
        assert result.text.count("\n") == 1 and result.size.height == 3
        await scan(pilot, FLASK)
        assert result.size.height == 1


@pytest.mark.parametrize(
    ("text", "width", "rows"),
    [
        pytest.param("one line", 20, 1, id="fits"),
        pytest.param("two\nlines", 20, 2, id="two lines"),
        pytest.param("库存查询", 8, 1, id="CJK exactly fits"),
        pytest.param("库存查询", 7, None, id="CJK wraps"),
        pytest.param("", 20, None, id="empty"),
    ],
)
def test_rows_of_text_that_does_not_wrap(text, width, rows):
    assert _unwrapped_lines(text, width) == rows


async def test_the_menu_header_catches_up_with_ops_recorded_in_a_workflow(site: Site):
    """Headers under the top screen are not repainted while hidden (Textual would repaint the
    whole top screen for them); the menu's shows the new count when it is back on top."""
    app = app_on(site.terminal(), None)
    async with app.run_test(size=SMALL) as pilot:
        await open_workflow(pilot, "r1", "3333", "receive")
        await scan(pilot, FLASK)
        await scan(pilot, FLASK)
        assert text_of(pilot, "#header").endswith("↑2")
        await pilot.press("escape")
        await drain(pilot)
        assert type(app.screen).__name__ == "MenuScreen"
        assert text_of(pilot, "#header").endswith("↑2")


class _Rows(App[None]):
    CSS = "DetailList { height: 5; }"

    def compose(self):
        yield DetailList(id="detail")


def _painted(app: App[None]) -> list[str]:
    """The detail rows as painted (a screenshot is drawn from the lines Textual has cached: a
    line that was not refreshed shows what it showed before)."""
    return [line.split()[:2] for line in screen_text(app).splitlines()[:5]]  # type: ignore[misc]


async def test_a_growing_list_that_scrolls_repaints_the_rows_that_changed():
    app = _Rows()
    async with app.run_test(size=(30, 8)) as pilot:
        detail = app.query_one(DetailList)
        rows = [(f"SKU-{n}", str(n)) for n in range(8)]
        detail.show(rows)
        await pilot.pause()
        assert _painted(app)[:2] == [["SKU-0", "0"], ["SKU-1", "1"]]
        rows = [("SKU-0", "10")] + rows[1:] + [("SKU-8", "8")]  # one row in view, one below
        detail.show(rows)
        await pilot.pause()
        assert _painted(app)[:2] == [["SKU-0", "10"], ["SKU-1", "1"]]
        text = app.query_one("#detail-text")
        assert text.virtual_size.height == 9
        text.scroll_end(animate=False)
        await pilot.pause()
        assert _painted(app)[-1] == ["SKU-8", "8"]
        detail.show(rows[:2])  # fewer rows: laid out again, no scrolling left
        await pilot.pause()
        assert text.virtual_size.height == 2 and text.scroll_offset.y == 0
        assert _painted(app)[:3] == [["SKU-0", "10"], ["SKU-1", "1"], []]
