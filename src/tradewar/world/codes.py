"""Region codes: ISO 3166-1 alpha-3 through pycountry, plus named aggregates.

Aggregates (the EU, "rest of world", regional blocs) have no ISO code; a World declares
the ones it uses with a name, and a few common ones are known here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pycountry

from tradewar.errors import UnknownCodeError

#: Aggregate region codes every World may use without declaring them.
KNOWN_AGGREGATES: Mapping[str, str] = {
    "EU": "European Union",
    "EU27": "European Union (27 members)",
    "EU28": "European Union (28 members)",
    "ROW": "Rest of world",
    "ASEAN": "Association of Southeast Asian Nations",
    "OAS": "Other Asia",
}


def iso3_name(code: str) -> str | None:
    """Name of an ISO 3166-1 alpha-3 country code, or ``None`` if it is not one."""
    country = pycountry.countries.get(alpha_3=code.upper()) if len(code) == 3 else None
    return None if country is None else str(country.name)


def region_name(code: str, declared: Mapping[str, str] | None = None) -> str:
    """Name of a region code: ISO3, a declared aggregate or a known aggregate.

    Raises
    ------
    UnknownCodeError
        If the code is none of these.

    """
    if declared and code in declared:
        return declared[code]
    name = iso3_name(code)
    if name is not None and code == code.upper():
        return name
    if code in KNOWN_AGGREGATES:
        return KNOWN_AGGREGATES[code]
    known = sorted(set(KNOWN_AGGREGATES) | set(declared or {}))
    raise UnknownCodeError("region (ISO 3166-1 alpha-3 or declared aggregate)", code, known)


def iso3_from_name(name: str) -> str:
    """ISO3 code for a country name such as ``"Korea"`` or ``"UK"`` (fuzzy, via pycountry)."""
    special = {"UK": "GBR", "Korea": "KOR", "USA": "USA", "U.S.": "USA", "RoW": "ROW", "ROW": "ROW"}
    if name in special:
        return special[name]
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        matches = pycountry.countries.search_fuzzy(name)
        return str(matches[0].alpha_3)


def check_regions(codes: Iterable[str], declared: Mapping[str, str] | None = None) -> dict[str, str]:
    """Map each region code to its name; raise on the first unknown code."""
    return {code: region_name(code, declared) for code in codes}
