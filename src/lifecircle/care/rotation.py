"""Key rotation: a new key in the key file, every sealed value re-encrypted with it, in one write.

The new key is appended to the key file first (older keys stay, so a failed run loses nothing);
then every sealed value is opened and sealed again under the new key with a fresh nonce, all in
one transaction. ``drop_old`` then removes keys no value uses any more from the file (do so only
once no backup made before the rotation still needs them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lifecircle.care.context import Care
from lifecircle.care.keys import add_key, drop_keys
from lifecircle.store.care import AccessEntry, Row
from lifecircle.store.care_schema import SECRETS

#: The associated-data prefix of each table's sealed values, and the column naming the row.
PLACES = {
    "care_people": ("person", "uid"),
    "care_visits": ("visit", "uid"),
    "care_checks": ("check", "token"),
}


@dataclass(frozen=True)
class Rotated:
    """What a rotation did: the new key, the rows re-sealed, and the keys left in the file."""

    key_id: str
    rows: int
    keys: tuple[str, ...]


def rotate_key(care: Care, *, by: str, drop_old: bool = False) -> Rotated:
    """Add a new key and re-encrypt every sealed value with it.

    Raises
    ------
    ConfigError
        A stored value does not open with the key file (nothing is re-encrypted then).
    """
    ring = add_key(care.keys)
    care.keys = ring

    def reseal(table: str, row: Row) -> dict[str, Any]:
        prefix, column = PLACES[table]
        changed = {}
        for name in SECRETS[table]:
            stored = row.get(f"{name}_enc")
            if not stored:
                continue
            where = f"{prefix}:{row[column]}:{name}"
            changed[f"{name}_enc"] = ring.encrypt(ring.decrypt(stored, where), where)
        return changed

    entry = AccessEntry(by, "rotate_key", "security", None, {"key": ring.current})
    rows = care.tables.reseal(reseal, [entry], now_s=care.now())
    care.tables.purge()
    if drop_old:
        care.keys = drop_keys(ring, keep={ring.current})
    return Rotated(ring.current, rows, tuple(i for i, _ in care.keys.keys))
