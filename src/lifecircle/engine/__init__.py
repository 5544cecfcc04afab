"""The walking engine: numeric, arrays and graphs in, frozen values out; no files, no SQL.

``profiles`` who walks; ``graph`` the walk graph; ``network`` builds the full walk network from
OSM ways; ``points``, ``snap`` and ``attach`` join every gate, facility and board to it once;
``costs`` makes each profile's graph of it; ``walk`` puts them together
(:func:`lifecircle.engine.walk.build_walk`, cached per network and data version); ``bounded``,
``contract`` and ``entrance`` are the searches under ``access``; ``walksheds`` traces the
5/10/15-minute areas; ``point`` answers from any point; ``results`` holds a profile's results;
``gaps`` the gap rows; ``rules`` the one place that turns a cost into shown minutes (or metres)
and a "missing" verdict. Imports the kernel, taxonomy and cache only.
"""
