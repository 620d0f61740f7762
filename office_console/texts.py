"""Saying things on screen: a widget's strings in its console's language, the key hints, and an
API error as the status line shows it."""

from __future__ import annotations

from typing import Any

from textual.dom import DOMNode
from textual.markup import escape

from office_console.client import ApiError
from office_console.i18n import Messages


def messages_of(node: DOMNode) -> Messages:
    """The strings of the console `node` belongs to, in its current language."""
    messages = getattr(node.app, "messages", None)
    assert isinstance(messages, Messages)
    return messages


def say(node: DOMNode, key: str, **fields: Any) -> str:
    """The message `key` in the language of the console `node` belongs to."""
    return messages_of(node)(key, **fields)


def hint(key: str, label: str) -> str:
    return f"[b]{key}[/] {label}"


def common_hints(node: DOMNode) -> list[str]:
    """The keys every screen shares, for its hint line."""
    return [hint("F5", say(node, "hint.refresh")), hint("F2", say(node, "hint.menu")),
            hint("F4", say(node, "hint.language")), hint("Ctrl+Q", say(node, "hint.quit"))]


OWN_ERRORS = {"unreachable": "error.unreachable", "unreadable": "error.unreadable", "bad_line": "error.bad_line"}
"""The refusals the console makes itself (status 0), said in the chosen language."""


def problem_text(messages: Messages, problem: ApiError) -> str:
    """An API error for the status line (markup, the server's words escaped): the server's message
    when it said one in the chosen language (a refusal said before F4 switched is not), then its
    code and detail (data, as the server sent them) and the rows it found wrong; the console's own
    refusals (`OWN_ERRORS`) are said in the chosen language."""
    if problem.status == 0 and problem.code in OWN_ERRORS:
        detail = problem.detail.removeprefix("the server did not answer: ")
        return messages(OWN_ERRORS[problem.code], detail=escape(detail))
    if problem.message and problem.language == messages.lang:
        text = messages("status.problem_said", message=escape(problem.message), code=escape(problem.code),
                        detail=escape(problem.detail))
    else:
        text = messages("status.problem", code=escape(problem.code), detail=escape(problem.detail))
    for found in problem.problems[:3]:
        text += "; " + escape(" ".join(str(found.get(k, "")) for k in ("column", "reason") if found.get(k)))
    return text


def reason_text(messages: Messages, problem: ApiError) -> str:
    """Why a login was refused, in a few words (markup): the server's message in the chosen
    language, else its detail; the console's own refusals as `problem_text` says them."""
    if problem.status == 0 and problem.code in OWN_ERRORS:
        return problem_text(messages, problem)
    said = problem.message and problem.language == messages.lang
    return escape(problem.message if said else problem.detail)


__all__ = ["common_hints", "escape", "hint", "messages_of", "problem_text", "reason_text", "say"]
