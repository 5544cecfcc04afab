"""The staff page's strings all exist in both languages, and the page builds no HTML from data."""

from __future__ import annotations

import re
from pathlib import Path

from lifecircle.i18n import catalogue

PAGE = Path(__file__).parents[2] / "src" / "lifecircle" / "web" / "staff"
DYNAMIC = {  # keys the scripts build from a value: t(`staff.kind.${kind}`) and the like
    "staff.kind.": ("facility", "compound", "board"),
    "staff.walking.kind_": ("link", "impassable_way", "uncrossable_way", "impassable_node"),
    # the stages a sheet import job reports (lifecircle.jobs.runner, jobs.imports)
    "staff.job.": ("queued", "started", "read", "check", "write", "finished"),
}


def _used() -> set[str]:
    text = "".join(p.read_text("utf-8") for p in PAGE.iterdir() if p.suffix in (".js", ".html"))
    keys = set(re.findall(r"""["'](staff\.[a-z_.]+[a-z_])["']""", text))
    keys |= {prefix + tail for prefix, tails in DYNAMIC.items() for tail in tails}
    return keys


def test_every_staff_string_used_by_the_page_exists():
    used = _used()
    assert len(used) > 60
    assert sorted(used - set(catalogue())) == []


def test_no_inner_html_in_the_staff_scripts():
    for script in PAGE.glob("*.js"):
        text = script.read_text("utf-8")
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, script.name
