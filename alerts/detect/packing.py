"""Base64 for the packed arrays in a detector's state, remembering what it encoded last.

A poll cycle reads back the state it stored the cycle before, and decoding base64 cost a
tenth of a step (CPython's decoder goes a character at a time): so the strings encoded most
recently are remembered with their bytes, and decoding one of them is a dictionary lookup.
Any other string is decoded as usual; either way `decode(encode(data)) == data`.
"""

from __future__ import annotations

import binascii
import contextlib

#: How many encoded strings are remembered (each about 2 kB with its bytes).
REMEMBERED = 1024
_recent: dict[str, bytes] = {}


def encode(data: bytes) -> str:
    """`data` as base64 text (no newline)."""
    text = binascii.b2a_base64(data, newline=False).decode("ascii")
    _recent[text] = data
    if len(_recent) > REMEMBERED:
        # The oldest goes (dicts keep insertion order); another thread may have evicted it.
        with contextlib.suppress(KeyError, RuntimeError, StopIteration):
            del _recent[next(iter(_recent))]
    return text


def decode(text: object) -> bytes:
    """The bytes `text` encodes; raises ValueError (binascii.Error) or TypeError on what is
    not base64 text, as `binascii.a2b_base64` does."""
    if isinstance(text, str):
        found = _recent.get(text)
        if found is not None:
            return found
    return binascii.a2b_base64(text)  # type: ignore[arg-type]
