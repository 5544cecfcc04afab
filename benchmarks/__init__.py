"""Benchmarks of lifecircle's engine against pandana, cityseer and networkx (issue 3).

Run with ``python -m benchmarks.run``; pandana and cityseer (AGPL) are imported only here,
never by ``src/lifecircle``.
"""
