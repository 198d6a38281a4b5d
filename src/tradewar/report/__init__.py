"""Tables, plots and HTML reports of scenario runs.

Public API: :func:`render_report` (the self-contained HTML report),
:func:`measure_rows` (the measures of a scenario as a table) and
:func:`summary_rich_table` (the terminal summary); :func:`render_sweep_report` (the
report of a parameter sweep).
"""

from tradewar.report.html import render_report
from tradewar.report.tables import measure_rows, summary_rich_table
from tradewar.report.uncertainty import render_sweep_report

__all__ = ["measure_rows", "render_report", "render_sweep_report", "summary_rich_table"]
