"""The resident page holds no text of its own: every key it names exists, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

from lifecircle.api.i18n import PAGE_PREFIXES, page_messages
from lifecircle.i18n import catalogue

WEB = Path(__file__).parents[2] / "src" / "lifecircle" / "web"
PAGE = WEB / "resident"
#: The grid desk's pages, the staff pages' shared modules and the cases layer of the staff map
#: hold no text of their own either.
DESK_FILES = [
    *sorted((WEB / "desk").glob("*.js")),
    *sorted((WEB / "shared").glob("*.js")),
    WEB / "desk" / "index.html",
    WEB / "staff" / "cases.js",
]
KEY = re.compile(r"""["'`](web\.[a-z0-9_.]+)["'`]""")
ANY_KEY = re.compile(r"""["'`]((?:web|staff|desk)\.[a-z0-9_.]+)["'`]""")
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


def _files():
    return sorted(p for p in PAGE.iterdir() if p.suffix in (".js", ".html"))


def test_every_key_the_page_names_is_in_the_catalogue():
    used = {key for path in _files() for key in KEY.findall(path.read_text("utf-8"))}
    assert len(used) > 30, "the key pattern found too little: is it broken?"
    assert used <= set(catalogue())
    # keys built at run time: the open-now states
    assert {"web.open.open", "web.open.closed", "web.open.unknown"} <= set(catalogue())


def test_every_key_the_desk_pages_name_is_in_the_catalogue():
    used = {key for path in DESK_FILES for key in ANY_KEY.findall(path.read_text("utf-8"))}
    assert len(used) > 100, "the key pattern found too little: is it broken?"
    assert used <= set(catalogue())
    assert used <= set(page_messages("zh")), "a key the desk pages name is not sent to them"
    # keys built at run time: sources, figure cuts, step fields, case statuses
    sources = ("resident_form", "phone", "walk_in", "group_chat", "patrol", "open311")
    fields = ("days", "into", "people_met", "parties", "agreement", "summary")
    built = [f"web.desk.source.{s}" for s in sources]
    built += [f"web.desk.fig.by_{c}" for c in ("grid", "community", "subdistrict", "category")]
    built += [f"web.desk.step.{f}" for f in fields]
    built += [f"staff.cases.{s}" for s in ("overdue", "open", "on_hold", "handled")]
    assert set(built) <= set(page_messages("en"))


def test_no_chinese_is_hard_coded_in_the_page():
    for path in [*_files(), *DESK_FILES]:
        text = path.read_text("utf-8")
        assert not CJK.findall(text), path.name


def test_page_strings_are_the_web_and_staff_keys():
    zh, en = page_messages("zh"), page_messages("en")
    assert set(zh) == set(en)
    assert all(key.startswith(PAGE_PREFIXES) for key in zh)
    assert "desk.action.whistle" in zh and "desk.metric.received.label" not in zh
    assert zh["web.title"] != en["web.title"]


def test_every_action_of_a_case_reads_as_a_sentence_of_its_own():
    text = (WEB / "desk" / "history.js").read_text("utf-8")
    table = text[text.index("const SENTENCES") : text.index("const PLAIN")]
    plain = re.findall(r'"(\w+)"', text[text.index("const PLAIN") :].split(";")[0])
    handled = set(re.findall(r"^  (\w+): \(", table, re.M)) | set(plain)
    actions = {k.removeprefix("desk.action.") for k in catalogue() if k.startswith("desk.action.")}
    assert len(actions) > 15 and actions <= handled, actions - handled
    # the keys: the first of each [key, values], both of "a ? key : other", and the plain ones
    keys = set(re.findall(r'\[(?:[^\[\]"]*\? )?"(\w+)"', table))
    for first, second in re.findall(r'\? "(\w+)" : "(\w+)"', table):
        keys |= {first, second}
    keys |= set(plain) | {"other", "system", "resident", "and", "grid_worker"}
    assert len(keys) > 30
    zh, en = page_messages("zh"), page_messages("en")
    missing = {
        k for k in keys if f"web.desk.event.{k}" not in zh or f"web.desk.event.{k}" not in en
    }
    assert not missing
