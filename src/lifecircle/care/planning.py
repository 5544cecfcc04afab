"""What planning may see of the register: people per compound as counts, none below a threshold.

Counted from the clear columns (compound, left, forgotten) without the key, so planning never
opens a record. A compound with fewer than ``min_count`` registered people is left out (its count
could point at a household); planning treats it as unknown, like a compound without a census.
"""

from __future__ import annotations

from collections import Counter

from lifecircle.store import Store


def vulnerable_counts(store: Store, *, min_count: int) -> dict[str, int]:
    """Return the people on the register per compound key, leaving out counts below ``min_count``.

    People who left or were forgotten are not counted.
    """
    counts = Counter(
        str(row["compound_key"])
        for row in store.care.people(active_only=True)
        if row.get("compound_key") and row.get("forgotten_at") is None
    )
    return {key: n for key, n in counts.items() if n >= min_count}
