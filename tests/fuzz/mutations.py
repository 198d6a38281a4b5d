"""Hypothesis strategies that damage valid input files the way users and disks do.

Byte-level: flip a byte, truncate, delete or duplicate a line, insert a nasty token
(YAML anchors and aliases, NUL and BOM bytes, huge and non-finite numbers, paths out of
the folder). Structure-level (YAML/JSON mappings): delete a key, swap a value's type,
replace a number with a huge or non-finite one, point a path elsewhere. Each strategy
draws a valid base and applies one to three mutations.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

import yaml
from hypothesis import strategies as st

NASTY_TOKENS: tuple[bytes, ...] = (
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"{",
    b"[",
    b"- ",
    b": ",
    b"\n  ",
    b"\t",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xe9",
    b"1e308",
    b"-1e308",
    b".nan",
    b".inf",
    b"nan",
    b"inf",
    b"99999999999999999999999999",
    b"1e12",
    b"-100",
    b"'",
    b'"',
    b"!!python/object/apply:os.system ['true']",
    b"!!binary aGk=",
    b"../../../../etc/passwd",
    b"/etc/passwd",
    b"${HOME}",
    b"~",
    b"all",
    b"null",
    b"2026-13-45",
    b",,,",
    b"\r\n",
)

#: Replacement values for a structured mutation ("type swaps" and "huge numbers").
SWAPS: tuple[Any, ...] = (
    None,
    True,
    False,
    "",
    "x",
    "all",
    [],
    {},
    ["R000", "R000"],
    {"unit": "percent"},
    0,
    -1,
    1e308,
    -1e308,
    1e12,
    10**30,
    math.nan,
    math.inf,
    -math.inf,
    2.5e-320,
    "25%",
    "../../../../etc/passwd",
    "/etc/passwd",
)


def _flip(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return data
    i = draw(st.integers(0, len(data) - 1))
    return data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1 :]


def _truncate(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: draw(st.integers(0, max(len(data) - 1, 0)))]


def _lines(draw: st.DrawFn, data: bytes, duplicate: bool) -> bytes:
    lines = data.split(b"\n")
    i = draw(st.integers(0, len(lines) - 1))
    if duplicate:
        lines.insert(i, lines[i])
    else:
        del lines[i]
    return b"\n".join(lines)


def _insert(draw: st.DrawFn, data: bytes) -> bytes:
    i = draw(st.integers(0, len(data)))
    return data[:i] + draw(st.sampled_from(NASTY_TOKENS)) + data[i:]


def _replace_number(draw: st.DrawFn, data: bytes) -> bytes:
    digits = [i for i, b in enumerate(data) if 48 <= b <= 57]
    if not digits:
        return data
    i = draw(st.sampled_from(digits))
    j = i
    while j < len(data) and (48 <= data[j] <= 57 or data[j] in b".eE-+"):
        j += 1
    huge = draw(st.sampled_from([b"1e308", b"1e12", b"-1e308", b"nan", b"inf", b"0", b"-5", b"10" * 30]))
    return data[:i] + huge + data[j:]


BYTE_OPS: tuple[Callable[[st.DrawFn, bytes], bytes], ...] = (
    _flip,
    _truncate,
    lambda d, b: _lines(d, b, duplicate=False),
    lambda d, b: _lines(d, b, duplicate=True),
    _insert,
    _replace_number,
)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


def _mutate_structure(draw: st.DrawFn, obj: Any) -> Any:
    paths = _paths(obj)
    if not paths:
        return copy.deepcopy(draw(st.sampled_from(SWAPS)))
    path = draw(st.sampled_from(paths))
    parent = obj
    for p in path[:-1]:
        parent = parent[p]
    key = path[-1]
    if draw(st.booleans()):
        del parent[key]
    else:
        parent[key] = copy.deepcopy(draw(st.sampled_from(SWAPS)))  # SWAPS holds mutable values
    return obj


@st.composite
def damaged_bytes(draw: st.DrawFn, bases: Sequence[bytes]) -> bytes:
    """A base file with one to three byte-level mutations."""
    data = draw(st.sampled_from(list(bases)))
    for _ in range(draw(st.integers(1, 3))):
        data = draw(st.sampled_from(BYTE_OPS))(draw, data)
    return data


@st.composite
def damaged_yaml(draw: st.DrawFn, bases: Sequence[str]) -> bytes:
    """A YAML file with keys deleted or values swapped (and sometimes bytes damaged too)."""
    obj = yaml.safe_load(draw(st.sampled_from(list(bases))))
    for _ in range(draw(st.integers(1, 3))):
        obj = _mutate_structure(draw, obj)
    text = yaml.safe_dump(obj, sort_keys=False, allow_unicode=True).encode()
    if draw(st.integers(0, 3)) == 0:
        text = draw(st.sampled_from(BYTE_OPS))(draw, text)
    if draw(st.integers(0, 7)) == 0:  # aliases: a nested anchor block in front
        levels, fan = draw(st.integers(1, 12)), draw(st.integers(2, 9))
        block = ['z0: &z0 ["lol", "lol"]'] + [
            f"z{i}: &z{i} [" + ", ".join([f"*z{i - 1}"] * fan) + "]" for i in range(1, levels + 1)
        ]
        text = ("\n".join(block) + "\n").encode() + text
    return text


@st.composite
def damaged_json(draw: st.DrawFn, base: str) -> bytes:
    """A JSON file with keys deleted or values swapped, or bytes damaged."""
    if draw(st.booleans()):
        return draw(damaged_bytes([base.encode()]))
    obj = json.loads(base)
    for _ in range(draw(st.integers(1, 3))):
        obj = _mutate_structure(draw, obj)
    return json.dumps(obj, allow_nan=True).encode()
