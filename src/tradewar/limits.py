"""The bounds tradewar puts on its inputs, in one place: plausibility and resources.

**Plausibility.** A number far outside anything a government has done is far more
likely a slip (25 written as a fraction, a billion written as a million) than intended,
so every route to a magnitude checks it against one bound here and refuses it with the
fix, unless the user says the extreme value is deliberate:

================================  ==============================  ==========================
route                             bound                           override
================================  ==============================  ==========================
scenario ``magnitude`` (YAML)     :data:`MAX_RATE`                ``extreme: true`` (measure)
``tariff_schedule`` CSV rates     :data:`MAX_RATE`; a ``unit:      ``extreme: true`` (measure)
                                  fraction`` schedule whose
                                  typical rate is above 100 %
                                  (:data:`FRACTION_LOOKS_PERCENT`)
``funding`` amounts               :data:`MAX_FUNDING_SHARE` of     ``extreme: true`` (measure)
                                  the funding regions' GDP
Python API (``Shock.set_tariff``,  :data:`MAX_RATE`                ``allow_extreme=True``
``add_tariff``,
``scale_productivity``)
================================  ==============================  ==========================

A prohibitive measure is an ``import_ban`` or an export-control ``ban``, never a huge
tariff.

**Resources.** Input files are read only up to a size (:data:`MAX_SCENARIO_BYTES`,
:data:`MAX_TABLE_BYTES`), and YAML aliases (``*name``, which let a few lines expand to
gigabytes: the "billion laughs") are limited to :data:`MAX_YAML_ALIASES` per document
and :data:`MAX_YAML_NODES` values once expanded. :class:`LimitedSafeLoader` enforces
both for every YAML file tradewar reads.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from tradewar.errors import DataError, ScenarioError

#: Largest tariff, tariff-equivalent or productivity change (a fraction: 10 = 1000 %).
MAX_RATE = 10.0
#: A ``unit: fraction`` tariff schedule whose median non-zero rate is above this (1 =
#: 100 %) was almost surely written in percent.
FRACTION_LOOKS_PERCENT = 1.0
#: Largest ``funding`` amount (all years) as a share of the funding regions' annual value
#: added: 0.25 = a quarter of GDP (the US CHIPS Act's 280 USD bn is about 1 % of US GDP).
MAX_FUNDING_SHARE = 0.25

#: Largest scenario (YAML) file read, in bytes.
MAX_SCENARIO_BYTES = 2 * 1024 * 1024
#: Largest CSV table (tariff schedule, weights, concordance) read, in bytes.
MAX_TABLE_BYTES = 512 * 1024 * 1024
#: Most YAML aliases (``*name``) in one document.
MAX_YAML_ALIASES = 100
#: Most values (scalars, lists and mappings) in one YAML document with aliases expanded.
MAX_YAML_NODES = 50_000

#: How a user says an extreme value is deliberate, for error messages.
OVERRIDE_HINT = "if the value is deliberate, add `extreme: true` to the measure"


def implausible_rate(rate: float) -> bool:
    """Whether a tariff, tariff-equivalent or productivity change (fraction) exceeds :data:`MAX_RATE`."""
    return rate > MAX_RATE


def check_rate(rate: float, *, what: str, allow_extreme: bool = False) -> None:
    """Refuse a rate above :data:`MAX_RATE` (Python API route; see the module docstring).

    Raises
    ------
    ScenarioError
        If ``rate`` exceeds the bound and ``allow_extreme`` is False.
    """
    if allow_extreme or not implausible_rate(rate):
        return
    raise ScenarioError(
        f"{what} of {rate:g} ({100 * rate:g} %) is implausible (above {100 * MAX_RATE:g} %)",
        field=what,
        expected="fractions: 0.25 = 25 %",
        fix="check the unit (25 % is 0.25), use a ban for a prohibitive measure, or pass "
        "allow_extreme=True if the value is deliberate",
    )


def check_size(path: str | os.PathLike[str], limit: int, what: str) -> None:
    """Refuse a file larger than ``limit`` bytes before reading it.

    Raises
    ------
    DataError
        If the file is larger.
    """
    try:
        size = os.stat(path).st_size
    except OSError:
        return  # the reader reports a missing or unreadable file itself
    if size > limit:
        raise DataError(
            f"{what} is {size / 1e6:.1f} MB, more than the {limit / 1e6:.0f} MB tradewar reads",
            file=str(path),
            fix="check that this is the right file",
        )


def read_text_limited(path: str | os.PathLike[str], limit: int, what: str) -> str:
    """Read a UTF-8 text file of at most ``limit`` bytes.

    Raises
    ------
    DataError
        If the file is missing, unreadable, larger than ``limit`` or not UTF-8 text.
    """
    p = Path(path)
    check_size(p, limit, what)
    try:
        raw = p.read_bytes()
    except OSError as err:
        raise DataError(f"cannot read {what}: {err.strerror}", file=str(p), fix="check the path") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(
            f"{what} is not UTF-8 text (byte 0x{raw[err.start]:02x} on line {line})",
            file=str(p),
            fix="save the file as UTF-8 (most editors: 'Save with encoding')",
        ) from None


class LimitedSafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader with at most :data:`MAX_YAML_ALIASES` aliases per document.

    Every YAML reader of tradewar uses it; readers that walk the node tree themselves
    count the expanded values with :meth:`count_node` (at most :data:`MAX_YAML_NODES`).
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.aliases_seen = 0
        self.nodes_seen = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose the next node, counting aliases (refused past :data:`MAX_YAML_ALIASES`)."""
        if self.check_event(yaml.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > MAX_YAML_ALIASES:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"more than {MAX_YAML_ALIASES} aliases (*name); tradewar files need none "
                    "(a file built of nested aliases expands to gigabytes)",
                    mark,
                )
        return super().compose_node(parent, index)

    def count_node(self) -> None:
        """Count one expanded value; raise :class:`yaml.YAMLError` past :data:`MAX_YAML_NODES`."""
        self.nodes_seen += 1
        if self.nodes_seen > MAX_YAML_NODES:
            raise yaml.YAMLError(
                f"more than {MAX_YAML_NODES} values once aliases are expanded; write the values "
                "out or split the file"
            )

    def construct_document(self, node: Any) -> Any:
        """Build the document's values once its expanded size is known to be bounded."""
        self._count_expanded(node, set())
        return super().construct_document(node)

    def _count_expanded(self, node: Any, stack: set[int]) -> None:
        """Count the values of ``node`` as if aliases were copies (bounded by :meth:`count_node`)."""
        self.count_node()
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [x for pair in node.value for x in pair]
        else:
            return
        if id(node) in stack:  # a recursive alias
            raise yaml.YAMLError("a recursive alias (a value that contains itself)")
        stack.add(id(node))
        for child in children:
            self._count_expanded(child, stack)
        stack.discard(id(node))


def load_yaml_limited(text: str) -> Any:
    """``yaml.safe_load`` under the limits of :class:`LimitedSafeLoader`."""
    return yaml.load(text, Loader=LimitedSafeLoader)
