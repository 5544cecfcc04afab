"""The walking engine: numeric, arrays and graphs in, frozen values out; no files, no SQL.

``profiles`` who walks; ``graph`` the walk graph; ``network`` builds it from OSM ways;
``snap`` and ``attach`` join points to it; ``walk`` builds one profile's graph with every
point attached, once per network version (:func:`lifecircle.engine.walk.build_walk`);
``bounded``, ``contract`` and ``entrance`` are the searches under ``access``; ``walksheds``
traces the 5/10/15-minute areas; ``point`` answers from any point; ``results`` holds a
profile's results; ``gaps`` the gap rows; ``rules`` the one place that turns a cost into shown
minutes (or metres) and a "missing" verdict. Imports the kernel, taxonomy and cache only.
"""
