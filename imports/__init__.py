"""Reading and validating payroll rolls (CSV, XLSX). No Flask, no database.

``read_roll`` turns a factory's file into frozen ``RollRow`` records and located ``Problem``
findings; a file that is not a roll at all raises ``RollUnreadable``. ``sources`` sniffs and
decodes files within ``Limits``; ``vocabulary`` lists the fields and their header synonyms
(English and Bengali) and ``headers`` finds the header row with them; ``values`` parses cells
exactly, ``columns`` a whole column at a time, ``checks`` checks the parsed columns;
``writing`` builds exports and error reports.
"""

from __future__ import annotations

from imports.records import WAGE_COMPONENTS, Problem, RollRow
from imports.roll import RollReading, read_roll
from imports.sources import Limits, RollUnreadable
from imports.vocabulary import FIELD_LABELS, FIELDS, REQUIRED_FIELDS
from imports.writing import error_report_xlsx, write_roll_csv, write_roll_xlsx

__all__ = [
    "FIELDS",
    "FIELD_LABELS",
    "REQUIRED_FIELDS",
    "WAGE_COMPONENTS",
    "Limits",
    "Problem",
    "RollReading",
    "RollRow",
    "RollUnreadable",
    "error_report_xlsx",
    "read_roll",
    "write_roll_csv",
    "write_roll_xlsx",
]
