"""Welfare visits (特殊困难老年人探访关爱): the register of people to visit, safe by design.

The register (:mod:`.register`, imported from sheets by :mod:`.sheet`) keeps identifying and
health fields encrypted with keys kept outside the database (:mod:`.keys`); who may see what is
by role and grid, every read is logged with its reason (:mod:`.access`). Visits are planned from
the risk level (:mod:`.schedule`) and logged (:mod:`.visits`); the monthly visit rate and the
overdue counts are counted from them (:mod:`.rates`). A "can't reach" urgent check becomes a
2-hour grid-desk case (:mod:`.urgent`); planning sees only suppressed counts (:mod:`.planning`).
"""
