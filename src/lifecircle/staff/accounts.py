"""Staff accounts: argon2 password hashes, roles bound to an area, and who may edit which record.

A role is a level and an area: ``district`` edits the whole project; ``subdistrict`` edits records
whose ``subdistrict`` (街道) is its area; ``community`` those whose ``community`` (社区) is. A
record with an empty community/sub-district is the district's. ``grid`` (网格员) and
``microgrid`` (微网格长) accounts are bound to a grid desk grid (its code) and edit no facility,
compound or board: what they may do with cases is :mod:`lifecircle.desk.access`. No HTTP and no
sessions here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lifecircle.errors import AccessDenied, Msg, UserError
from lifecircle.model import Board, Compound, Facility
from lifecircle.staff.passwords import check_password
from lifecircle.store import Store
from lifecircle.store.accounts import AuditEntry, UserRow
from lifecircle.store.engine import utc_timestamp

Level = Literal["district", "subdistrict", "community", "grid", "microgrid"]
LEVELS: tuple[str, ...] = get_args(Level)
#: Levels bound to a grid desk grid rather than to an area of the data.
GRID_LEVELS = ("grid", "microgrid")
_NAME_RE = re.compile(r"^[^\s/\\<>\"'&]{1,64}$")
_HASHER = PasswordHasher()  # argon2id with the library's current defaults
#: Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("lifecircle: no such user")

AreaRecord = Facility | Compound | Board


@dataclass(frozen=True)
class User:
    """A staff account as the rest of lifecircle sees it (never with its password hash)."""

    name: str
    level: Level
    area: str
    created_at: str
    disabled: bool = False

    def role_label(self) -> Msg:
        """Name the role for people: ``社区 友谊里社区`` / ``community 友谊里社区``."""
        return Msg(f"user.level.{self.level}", area=self.area)


def _user(row: UserRow) -> User:
    level: Level = row.role_level if row.role_level in LEVELS else "community"  # type: ignore[assignment]
    return User(row.name, level, row.area, row.created_at, row.disabled)


def hash_password(password: str) -> str:
    """Hash a password with argon2id (a PHC string with its own salt and parameters)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Tell whether ``password`` matches ``password_hash`` (never raises on a bad hash).

    >>> verify_password(hash_password("correct horse"), "correct horse")
    True
    >>> verify_password(hash_password("correct horse"), "wrong")
    False
    """
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def known_areas(store: Store, level: str) -> list[str]:
    """List the communities or sub-districts named by the records (grid levels: grid codes)."""
    if level in GRID_LEVELS:
        return [g.code for g in store.grids.all() if g.kind == level]
    names: set[str] = set()
    for kind in ("facility", "compound", "board"):
        for record in store.records(kind):
            names.add(str(getattr(record, level, "") or ""))
    names.discard("")
    return sorted(names)


def _check_new(store: Store, name: str, password: str, level: str, area: str) -> None:
    if not _NAME_RE.match(name):
        raise UserError("error.user.bad_name", name=name)
    if level not in LEVELS:
        raise UserError("error.user.bad_level", level=level, levels=LEVELS)
    check_password(password, name=name)
    if level == "district":
        return
    if not area.strip():
        raise UserError("error.user.no_area", level=Msg(f"user.level_name.{level}"))
    known = known_areas(store, level)
    if area not in known:
        raise UserError(
            "error.user.unknown_area",
            area=area,
            level=Msg(f"user.level_name.{level}"),
            known=tuple(known[:20]) or Msg("error.user.none_known"),
        )


def add_user(
    store: Store, name: str, password: str, *, level: str, area: str = "", by: str = "cli"
) -> User:
    """Create an account; ``area`` must be a community/sub-district the store's records name.

    Raises
    ------
    UserError
        Bad name, level or password, unknown area, or the name is taken.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> store = Store.open(f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'lc.db'}")
    >>> add_user(store, "wang", "long enough secret", level="district").level
    'district'
    >>> authenticate(store, "wang", "long enough secret").name, authenticate(store, "wang", "no")
    ('wang', None)
    >>> store.close()
    """
    name = name.strip()
    area = area.strip()
    _check_new(store, name, password, level, area)
    row = UserRow(name, hash_password(password), level, area, utc_timestamp())
    entry = AuditEntry(by, "user.add", name, {"level": level, "area": area})
    if not store.accounts.add_user(row, audit=entry):
        raise UserError("error.user.exists", name=name)
    return _user(row)


def get_user(store: Store, name: str) -> User | None:
    """Return one account, or ``None``."""
    row = store.accounts.get_user(name)
    return None if row is None else _user(row)


def list_users(store: Store) -> list[User]:
    """Return every account, by name."""
    return [_user(row) for row in store.accounts.users()]


def remove_user(store: Store, name: str, *, by: str = "cli") -> None:
    """Delete an account (what it did stays in the audit log and the data versions).

    Raises
    ------
    UserError
        There is no such account.
    """
    if not store.accounts.remove_user(name, audit=AuditEntry(by, "user.remove", name)):
        raise _unknown(store, name)


def set_password(store: Store, name: str, password: str, *, by: str = "cli") -> None:
    """Give an account a new password; its web sessions end in every process.

    Raises
    ------
    UserError
        The password breaks the policy (:func:`lifecircle.staff.passwords.check_password`),
        or there is no such account.
    """
    check_password(password, name=name)
    values = {"password_hash": hash_password(password)}
    entry = AuditEntry(by, "user.passwd", name)
    if not store.accounts.update_user(name, values, audit=entry, end_sessions=True):
        raise _unknown(store, name)


def set_disabled(store: Store, name: str, disabled: bool, *, by: str = "cli") -> None:
    """Disable an account (it cannot log in; its web sessions end) or enable it again.

    Raises
    ------
    UserError
        There is no such account.
    """
    action = "user.disable" if disabled else "user.enable"
    done = store.accounts.update_user(
        name, {"disabled": int(disabled)}, audit=AuditEntry(by, action, name), end_sessions=True
    )
    if not done:
        raise _unknown(store, name)


def _unknown(store: Store, name: str) -> UserError:
    names = tuple(u.name for u in store.accounts.users()[:20])
    return UserError("error.user.unknown", name=name, known=names or Msg("error.user.none_known"))


def authenticate(store: Store, name: str, password: str) -> User | None:
    """Return the account if the password is right and the account enabled, else ``None``.

    A stored hash made with older argon2 parameters is replaced by one with the current ones.
    """
    row = store.accounts.get_user(name)
    if row is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(row.password_hash, password) or row.disabled:
        return None
    if _HASHER.check_needs_rehash(row.password_hash):
        store.accounts.update_user(name, {"password_hash": hash_password(password)})
    return _user(row)


def covers(user: User, *, community: str, subdistrict: str) -> bool:
    """Tell whether the user's area includes a place of this community and sub-district.

    >>> u = User("li", "community", "友谊里社区", "")
    >>> covers(u, community="友谊里社区", subdistrict=""), covers(u, community="", subdistrict="")
    (True, False)
    """
    if user.disabled or user.level in GRID_LEVELS:
        return False
    if user.level == "district":
        return True
    value = subdistrict if user.level == "subdistrict" else community
    return bool(value) and value == user.area


def can_edit(user: User, record: AreaRecord) -> bool:
    """Tell whether the user may edit this facility, compound or board (its area is theirs).

    >>> from lifecircle.model import Facility
    >>> clinic = Facility("sheet:a:1", "卫生站", "clinic", 117.2, 39.1, community="友谊里社区")
    >>> can_edit(User("li", "community", "友谊里社区", ""), clinic)
    True
    >>> can_edit(User("zhao", "community", "谊景村社区", ""), clinic)
    False
    """
    return covers(user, community=record.community, subdistrict=record.subdistrict)


def require_editor(user: User) -> None:
    """Refuse a grid-desk account (网格员, 微网格长) any edit of facilities, compounds or boards.

    Raises
    ------
    AccessDenied
        The account is bound to a grid, not to an area of the data.
    """
    if user.level in GRID_LEVELS:
        raise AccessDenied("error.user.desk_only", role=user.role_label())


def _record_area(user: User, record: AreaRecord) -> str:
    if user.level == "subdistrict":
        return record.subdistrict or record.community
    return record.community or record.subdistrict


def require_edit(user: User, record: AreaRecord) -> None:
    """Raise :class:`AccessDenied` unless :func:`can_edit`."""
    if not can_edit(user, record):
        raise AccessDenied(
            "error.user.not_your_area",
            name=record.name,
            key=record.key,
            area=_record_area(user, record) or Msg("error.user.no_record_area"),
            role=user.role_label(),
        )
