"""Exceptions raised by lifecircle; the CLI prints their message on one line and exits 1.

Every message says what happened, shows the bad value and where it was found (file, row,
field), and how to fix it. It imports only :mod:`lifecircle.i18n` (the message catalogue).

Messages are keys, not text. An error is raised with a catalogue key and the values for its
placeholders, ``ConfigError("error.project.not_found", path=root)``; the text of every key
lives in zh and en in ``data/messages.toml`` and a test keeps every key used in the code
there, in both languages, with the same placeholders.

- ``str(exc)`` is the English text (logs, tests, the API's ``detail``);
  ``exc.message("zh")`` renders the same error in Chinese. ``exc.msg`` holds key and values.
- A value may itself be a :class:`Msg` (a localised part such as a hint, rendered in the same
  language), a tuple of strings (a list: ``a、b`` in zh, ``a, b`` in en) or ``None`` (nothing).
- A bad sheet field is a :class:`RowProblem`: where (file, row, column, value) plus ``what``
  went wrong and how to ``fix`` it, both :class:`Msg`; ``str()`` and ``.message``/``.hint``
  stay English, ``render(lang)`` gives the whole line in either language.
- Text that is not a catalogue key is shown as it is in every language (for messages written
  before the catalogue; lifecircle's own errors use keys).

A new error: add ``["error.<module>.<what>"]`` with ``zh`` and ``en`` to the catalogue, then
``raise InputFileError("error.<module>.<what>", file=path.name, ...)``. Errors pickle with
their key and values (so they cross process boundaries intact).

Exception tree::

    LifecircleError
    ├── ConfigError          settings, project folder or environment are wrong
    ├── TaxonomyError        the taxonomy data file is invalid
    ├── UnknownTypeError     a facility type name/code is not in the taxonomy
    ├── InputFileError       a file cannot be read at all (missing, truncated, wrong format)
    │   └── OsmFileError     ... an OpenStreetMap extract
    ├── RowError             one bad row/field in a sheet (collected into BadRowsError)
    ├── BadRowsError         a sheet has bad rows; nothing was imported
    ├── RemovalError         an import would remove many stored rows (needs --replace)
    ├── LocationError        coordinates are outside the area / swapped / in the wrong CRS
    ├── StoreError           the database cannot be opened, migrated or written
    ├── GraphError           the walk graph cannot be built (no usable ways for a profile)
    ├── WalkshedError        a walking area cannot be traced (bad origins, costs or limits)
    ├── EditError            a local walking edit is bad (unknown OSM id, bad link, duplicate)
    ├── UserError            a staff account cannot be made or changed
    ├── AccessDenied         the user's role does not cover this record or place (HTTP 403)
    ├── StaffEditError       a value staff sent is not acceptable (names the field)
    ├── PrintCheckError      a board is not fit to print (QR code, text size, public address)
    ├── JobError             a background job cannot start (too many running) or was lost
    ├── DeskError            a grid-desk request cannot be carried out (names the field)
    ├── CareError            a welfare-register request cannot be carried out (names the field)
    └── FetchError           a download failed (offline, refused, cut short); run it again

Every one is defined here; a test keeps this tree complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from lifecircle.i18n import catalogue

#: The pseudo column of text found under no header (shown as 无表头 in zh).
NO_HEADER = "(no header)"
_LIST_SEPARATOR = {"zh": "、", "en": ", "}


@dataclass(frozen=True, init=False)
class Msg:
    """A catalogue message: its key and the values of its placeholders.

    >>> Msg("error.type.closest", types=("幼儿园", "托育")).render("zh")
    '，最接近的类型：幼儿园、托育'
    >>> Msg("error.type.closest", types=("kindergarten",)).render("en")
    '; closest known types: kindergarten'
    """

    key: str
    params: tuple[tuple[str, Param], ...]

    def __init__(self, key: str, /, **params: Param) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", tuple(params.items()))

    def render(self, lang: str) -> str:
        """Return the message in ``lang`` (``zh`` or ``en``) with its values filled in."""
        entry = catalogue().get(self.key)
        if entry is None:
            return self.key  # plain text, not a key
        template = entry.get(lang) or entry["en"]
        return template.format(**{name: _text(value, lang) for name, value in self.params})

    def __str__(self) -> str:
        return self.render("en")


#: A placeholder value: plain values, a localised part, a list of names, or nothing.
Param = str | int | float | PurePath | Msg | tuple[str, ...] | None


def _text(value: Param, lang: str) -> object:
    """Format a placeholder value for ``lang`` (numbers stay numbers for format specs)."""
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, tuple):
        return _LIST_SEPARATOR.get(lang, ", ").join(value)
    if value is None:
        return ""
    return str(value) if isinstance(value, PurePath) else value


class LifecircleError(Exception):
    """Base class of every error lifecircle raises on purpose.

    ``key`` names a message in the catalogue and ``params`` fill its placeholders.
    """

    def __init__(self, key: str, /, **params: Param) -> None:
        self.msg = Msg(key, **params)
        super().__init__(self.msg.render("en"))

    def message(self, lang: str) -> str:
        """Return the message in ``lang`` (``zh`` or ``en``); ``str(exc)`` is the English one."""
        return self.msg.render(lang)

    def __reduce__(self) -> tuple[object, ...]:
        # Subclasses take other arguments than the English text in ``args``: keep the state.
        return (_restore, (type(self), self.__dict__))


def _restore(cls: type[LifecircleError], state: dict[str, object]) -> LifecircleError:
    """Rebuild a pickled error from its attributes (key, values and any subclass fields)."""
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error.msg.render("en"))
    return error


class ConfigError(LifecircleError):
    """Settings, the project folder or the environment are not usable."""


class TaxonomyError(LifecircleError):
    """The taxonomy data file is invalid (the message names the file and entry)."""


class UnknownTypeError(LifecircleError):
    """A facility type given by code, Chinese name or AMap code is not in the taxonomy.

    ``lead`` says which value is unknown (with the closest known types), ``fix`` how to write
    a type; a sheet reader reports them as a row's problem and hint.
    """

    def __init__(self, value: str, suggestions: Sequence[str] = ()) -> None:
        self.value = value
        self.suggestions = tuple(suggestions)
        closest = Msg("error.type.closest", types=self.suggestions) if suggestions else None
        self.lead = Msg("error.type.unknown", value=value, closest=closest)
        self.fix = Msg("error.type.how")
        super().__init__("error.with_fix", what=self.lead, fix=self.fix)


class InputFileError(LifecircleError):
    """A whole input file cannot be read (missing, empty, truncated, wrong format)."""


class OsmFileError(InputFileError):
    """An OpenStreetMap extract is missing, truncated or not OSM data."""


@dataclass(frozen=True)
class RowProblem:
    """One bad field in one row of an input sheet.

    ``row`` is the 1-based row number as a spreadsheet program shows it (the header is row 1),
    or the 1-based feature number for GeoJSON. ``column`` is the header as written in the file.
    ``what`` went wrong and how to ``fix`` it are catalogue messages; ``message`` and ``hint``
    are their English text.
    """

    file: str
    row: int
    column: str
    value: str
    what: Msg
    fix: Msg | None = None

    @property
    def message(self) -> str:
        """What went wrong, in English."""
        return self.what.render("en")

    @property
    def hint(self) -> str:
        """How to fix it, in English ("" when there is no hint)."""
        return self.fix.render("en") if self.fix is not None else ""

    def as_msg(self) -> Msg:
        """Return the whole line (where, what, value, hint) as one message."""
        return Msg(
            "error.row.problem",
            file=self.file,
            row=self.row,
            column=Msg("error.row.no_header") if self.column == NO_HEADER else self.column,
            message=self.what,
            value=Msg("error.row.value", value=self.value) if self.value else None,
            hint=Msg("error.row.hint", hint=self.fix) if self.fix is not None else None,
        )

    def render(self, lang: str) -> str:
        """Return the whole line in ``lang``, e.g. ``设施.csv 第 3 行「类型」列：…``."""
        return self.as_msg().render(lang)

    def __str__(self) -> str:
        return self.render("en")


class RowError(LifecircleError):
    """A single bad row; carries the :class:`RowProblem`."""

    def __init__(self, problem: RowProblem) -> None:
        self.problem = problem
        super().__init__("error.row.single", problem=problem.as_msg())


class BadRowsError(LifecircleError):
    """A sheet has bad rows, so nothing was imported (unless ``--skip-bad-rows``)."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        if not self.problems:
            super().__init__("error.bad_rows.none")
            return
        more = len(self.problems) - 1
        super().__init__(
            "error.bad_rows.first",
            first=self.problems[0].as_msg(),
            more=Msg("error.bad_rows.more", n=more) if more else None,
        )


class RemovalError(LifecircleError):
    """An import would remove more than a few (or all) stored rows of its dataset.

    Nothing was imported; re-run with ``--replace`` when that is meant.
    """


class LocationError(LifecircleError):
    """Coordinates lie outside the area, look swapped, or look like the wrong CRS."""


class StoreError(LifecircleError):
    """The data store cannot be opened, migrated or written."""


class GraphError(LifecircleError):
    """The walk graph cannot be built (no usable ways for this profile)."""


class WalkshedError(LifecircleError):
    """A walking area cannot be computed (bad origins, costs or limits)."""


class EditError(LifecircleError):
    """A local edit cannot be made: unknown OSM id, bad link, duplicate, or unknown edit id."""


class UserError(LifecircleError):
    """An account cannot be made or changed: bad name, level, area or password, unknown user."""


class AccessDenied(LifecircleError):
    """The user's role does not cover this record or place (the web app answers 403)."""


class StaffEditError(LifecircleError):
    """A value staff sent is not acceptable; ``field`` names it (``None``: the whole request)."""

    def __init__(self, key: str, /, *, field: str | None = None, **params: Any) -> None:
        super().__init__(key, field=field or "", **params)
        self.field = field


class PrintCheckError(LifecircleError):
    """A board is not fit to print: its QR code, its text sizes or the public address."""


class JobError(LifecircleError):
    """A background job (a web sheet import) cannot start, or ended without its result."""


class DeskError(LifecircleError):
    """A grid-desk request cannot be carried out: an illegal step, a bad value, no such case.

    ``field`` names the bad field (``None``: the whole request). The web app picks the HTTP
    status from the key (404 no such case, 409 a step the case's state forbids, else 422).
    """

    def __init__(self, key: str, /, *, field: str | None = None, **params: Any) -> None:
        super().__init__(key, field=field or "", **params)
        self.field = field


class CareError(LifecircleError):
    """A welfare-register request cannot be carried out: a bad value, no such person or check.

    ``field`` names the bad field (``None``: the whole request). The web app answers 404 for a
    person or check that is not there, else 422.
    """

    def __init__(self, key: str, /, *, field: str | None = None, **params: Any) -> None:
        super().__init__(key, field=field or "", **params)
        self.field = field


class FetchError(LifecircleError):
    """A download (``lifecircle fetch``) failed: no network, an HTTP error, or cut short.

    A partial download is kept (``<file>.part``) and resumed by the next run.
    """
