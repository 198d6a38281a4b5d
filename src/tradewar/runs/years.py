"""The years of a run: parsing ``--years`` and a scenario's default years."""

from __future__ import annotations

from collections.abc import Sequence

from tradewar.errors import ScenarioError
from tradewar.policy import Scenario
from tradewar.runs.result import DEFAULT_YEARS


def parse_years(text: str | Sequence[int] | None) -> tuple[int, ...] | None:
    """``"2026-2030"``, ``"2027"``, ``"2026,2028"`` or a sequence -> sorted years (None stays None)."""
    if text is None:
        return None
    if not isinstance(text, str):
        years = sorted({int(y) for y in text})
    else:
        years = []
        try:
            for part in text.replace(" ", "").split(","):
                if "-" in part:
                    a, b = part.split("-", 1)
                    years.extend(range(int(a), int(b) + 1))
                elif part:
                    years.append(int(part))
        except ValueError:
            years = []
        years = sorted(set(years))
    if not years or years[0] < 1900 or years[-1] > 2200:
        raise ScenarioError(
            f"cannot read years {text!r}",
            field="years",
            expected="a range such as 2026-2030, a year, or a comma-separated list",
            fix="write e.g. --years 2026-2030",
        )
    return tuple(years)


def scenario_years(scenario: Scenario) -> tuple[int, ...]:
    """The years a scenario runs by default: its ``years``, else :data:`DEFAULT_YEARS`.

    An open-ended ``years`` (``2026-``) runs to the last of :data:`DEFAULT_YEARS`.
    """
    if scenario.years is None:
        return DEFAULT_YEARS
    end = scenario.years.end
    if end is None:
        end = max(DEFAULT_YEARS[-1], scenario.years.start)
    return tuple(range(scenario.years.start, end + 1))
