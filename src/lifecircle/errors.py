"""Exceptions raised by lifecircle; the CLI prints their message on one line and exits 1.

Every message says what happened, shows the bad value and where it was found (file, row,
field), and how to fix it. Nothing here imports the rest of the package.

Exception tree::

    LifecircleError
    ├── ConfigError          settings, project folder or environment are wrong
    ├── TaxonomyError        the taxonomy data file is invalid
    ├── UnknownTypeError     a facility type name/code is not in the taxonomy
    ├── InputFileError       a file cannot be read at all (missing, truncated, wrong format)
    │   └── OsmFileError     ... an OpenStreetMap extract
    ├── RowError             one bad row/field in a sheet (collected into BadRowsError)
    ├── BadRowsError         a sheet has bad rows; nothing was imported
    ├── LocationError        coordinates are outside the area / swapped / in the wrong CRS
    └── StoreError           the database cannot be opened, migrated or written
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class LifecircleError(Exception):
    """Base class of every error lifecircle raises on purpose."""


class ConfigError(LifecircleError):
    """Settings, the project folder or the environment are not usable."""


class TaxonomyError(LifecircleError):
    """The taxonomy data file is invalid (the message names the file and entry)."""


class UnknownTypeError(LifecircleError):
    """A facility type given by code, Chinese name or AMap code is not in the taxonomy."""

    def __init__(self, value: str, suggestions: Sequence[str] = ()) -> None:
        self.value = value
        self.suggestions = tuple(suggestions)
        hint = f"; closest known types: {', '.join(self.suggestions)}" if suggestions else ""
        super().__init__(
            f"unknown facility type {value!r}{hint} "
            "(use a taxonomy code, a Chinese type name or an AMap type code; "
            "`lifecircle taxonomy` lists them)"
        )


class InputFileError(LifecircleError):
    """A whole input file cannot be read (missing, empty, truncated, wrong format)."""


class OsmFileError(InputFileError):
    """An OpenStreetMap extract is missing, truncated or not OSM data."""


@dataclass(frozen=True)
class RowProblem:
    """One bad field in one row of an input sheet.

    ``row`` is the 1-based row number as a spreadsheet program shows it (the header is row 1),
    or the 1-based feature number for GeoJSON.
    """

    file: str
    row: int
    column: str
    value: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        hint = f" — {self.hint}" if self.hint else ""
        where = f"{self.file}, row {self.row}, column {self.column!r}"
        return f"{where}: {self.message} (value {self.value!r}){hint}"


class RowError(LifecircleError):
    """A single bad row; carries the :class:`RowProblem`."""

    def __init__(self, problem: RowProblem) -> None:
        self.problem = problem
        super().__init__(str(problem))


class BadRowsError(LifecircleError):
    """A sheet has bad rows, so nothing was imported (unless ``--skip-bad-rows``)."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else None
        more = f" (and {len(self.problems) - 1} more bad rows)" if len(self.problems) > 1 else ""
        super().__init__(
            f"{first}{more}; nothing was imported — fix the rows or pass --skip-bad-rows"
            if first
            else "bad rows; nothing was imported"
        )


class LocationError(LifecircleError):
    """Coordinates lie outside the area, look swapped, or look like the wrong CRS."""


class StoreError(LifecircleError):
    """The data store cannot be opened, migrated or written."""
