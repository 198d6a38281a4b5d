"""Trade-policy measures and scenario files.

Public API::

    from tradewar.policy import load_scenario, translate, library_names

    scenario = load_scenario("trade-war-2026")      # a built-in name or a YAML path
    print(scenario.to_yaml())                       # the composed scenario, printed back
    policies = translate(scenario, world, range(2026, 2031))   # one YearPolicy per year

See ``docs/scenarios.md`` for the file format and :mod:`tradewar.policy.shocks` for how
each measure becomes a change in tariffs, trade costs or productivity.
"""

from tradewar.policy.models import Distribution, Magnitude, ScenarioFile, Source, Years
from tradewar.policy.scenario import (
    PlacedMeasure,
    Scenario,
    check_against_world,
    library_dir,
    library_names,
    load_scenario,
    load_scenario_text,
    resolve_scenario,
)
from tradewar.policy.schedule import load_concordance, read_schedule, sector_tariffs
from tradewar.policy.shocks import (
    FundingEffect,
    QuotaPolicy,
    YearPolicy,
    funding_effect,
    policy_to_shock,
    scenario_technology,
    translate,
)

__all__ = [
    "Distribution",
    "FundingEffect",
    "Magnitude",
    "PlacedMeasure",
    "QuotaPolicy",
    "Scenario",
    "ScenarioFile",
    "Source",
    "YearPolicy",
    "Years",
    "check_against_world",
    "funding_effect",
    "library_dir",
    "library_names",
    "load_concordance",
    "load_scenario",
    "load_scenario_text",
    "policy_to_shock",
    "read_schedule",
    "resolve_scenario",
    "scenario_technology",
    "sector_tariffs",
    "translate",
]
