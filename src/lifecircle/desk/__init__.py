"""The grid desk (网格服务台): residents' requests and patrol findings, answered case by case.

件件回应 — every request gets an answer. A case is filed from any channel (:mod:`.intake`),
routed to the grid its place falls in (:mod:`.grids`), and moves through the lifecycle of
:mod:`.machine` one timestamped event at a time (:mod:`.lifecycle`, :mod:`.steps`) under the
time limits of :mod:`.config` and :mod:`.clock`. Roles are by grid (:mod:`.access`); personal
data is masked, its reads logged and retained only so long (:mod:`.views`, :mod:`.privacy`).
Figures are counted from the events (:mod:`.metrics`, :mod:`.report`); notices go out through
one sender interface (:mod:`.notices`, :mod:`.notify`); Open311 is a façade (:mod:`.open311`);
a verified walking case becomes a barrier or a facility status change (:mod:`.walking`).
"""
