"""TOP request signing (TOP.md §1): sort, concatenate, hash with the app secret, uppercase hex.

Shared by the client (to sign) and the sandbox (to check), so both follow one definition.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

SIGN_METHODS = ("md5", "hmac", "hmac-sha256")


def sign_string(params: Mapping[str, str]) -> str:
    """`k1v1k2v2...` over every parameter except `sign` and empty values, keys in ASCII order."""
    return "".join(f"{key}{params[key]}" for key in sorted(params) if key != "sign" and params[key] != "")


def sign(params: Mapping[str, str], secret: str, method: str) -> str:
    """The `sign` value for `params` (which must include `sign_method`)."""
    text = sign_string(params).encode("utf-8")
    key = secret.encode("utf-8")
    if method == "md5":
        return hashlib.md5(key + text + key).hexdigest().upper()
    if method == "hmac":
        return hmac.new(key, text, hashlib.md5).hexdigest().upper()
    if method == "hmac-sha256":
        return hmac.new(key, text, hashlib.sha256).hexdigest().upper()
    raise ValueError(f"unknown sign_method '{method}' (known: {', '.join(SIGN_METHODS)})")
