"""TMC over API polling: `taobao.tmc.messages.consume` and `taobao.tmc.messages.confirm` (TOP.md §4).

Messages are those of the store owning the calling app key; `group_name` is accepted (default
`default`) but all groups share the store's queue (see `tmc.py`). A session is not needed.
"""

from __future__ import annotations

from typing import Any

from server.tmall.envelope import format_top_time
from server.tmall.sandbox.errors import invalid_argument
from server.tmall.sandbox.methods import Call, MethodSpec

MAX_BATCH = 200


def _ids(call: Call, name: str) -> list[int]:
    text = call.params.text(name)
    if text is None:
        return []
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise invalid_argument(name, f"{name} must be comma-separated message ids") from None
    if len(ids) > MAX_BATCH:
        raise invalid_argument(name, f"at most {MAX_BATCH} ids per call")
    return ids


def tmc_messages_consume(call: Call) -> dict[str, Any]:
    quantity = call.params.integer("quantity", 100, minimum=1, maximum=MAX_BATCH)
    credentials = call.store.credentials
    batch = call.state.tmc.consume(call.nick, quantity, call.now_ms)
    return {
        "messages": [
            {
                "id": message.id,
                "topic": message.topic,
                "content": message.content,
                "pub_time": format_top_time(message.pub_ms),
                "pub_app_key": credentials.app_key,
                "user_id": credentials.user_id,
                "user_nick": credentials.nick,
            }
            for message in batch
        ]
    }


def tmc_messages_confirm(call: Call) -> dict[str, Any]:
    """Confirm `s_message_ids`; `f_message_ids` (failed) are redelivered at the next consume."""
    call.params.required("s_message_ids")
    confirmed = _ids(call, "s_message_ids")
    failed = set(_ids(call, "f_message_ids"))
    call.state.tmc.confirm(call.nick, confirmed)
    for message in call.state.tmc.pending[call.nick]:
        if message.id in failed:
            message.delivered_until_ms = 0
    return {"is_success": True}


METHODS = {
    "taobao.tmc.messages.consume": MethodSpec(tmc_messages_consume, needs_session=False),
    "taobao.tmc.messages.confirm": MethodSpec(tmc_messages_confirm, needs_session=False),
}
