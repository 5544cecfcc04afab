"""Derived files next to the store: walk graphs, build results and the base map.

Never the source of truth: a missing, stale or damaged file is rebuilt from the store. Every
file is written whole or not at all (:mod:`lifecircle.cache.files`). Imports only the kernel:
the engine hands its values in as arrays and reads them back.
"""
