"""``GET /api/i18n``: the page strings in one language.

``web.*`` and ``staff.*`` keys, and the desk's names of states, steps and roles
(``desk.state.*``, ``desk.action.*``, ``desk.role.*``).

The pages hold no text of their own; they render what this returns.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lifecircle.api.common import SnapshotDep, cached_json
from lifecircle.api.errors import request_lang, supported_lang
from lifecircle.api.schemas import MessagesOut
from lifecircle.i18n import catalogue

router = APIRouter(tags=["pages"])
#: The pages' own strings, and the desk's names of states, steps and roles they show.
PAGE_PREFIXES = ("web.", "staff.", "desk.state.", "desk.action.", "desk.role.")


def page_messages(lang: str) -> dict[str, str]:
    """Every page string in ``lang`` by key.

    >>> page_messages("en")["web.profile.elderly"]
    'Older person'
    """
    return {
        key: entry.get(lang) or entry["zh"]
        for key, entry in catalogue().items()
        if key.startswith(PAGE_PREFIXES)
    }


@router.get("/i18n", response_model=MessagesOut)
def get_messages(
    request: Request,
    snapshot: SnapshotDep,
    lang: Annotated[
        str | None,
        Query(max_length=35, description="zh or en; any tag maps to the nearest (zh-TW → zh)"),
    ] = None,
) -> Response:
    """Return the strings of the web pages (default: the request's language).

    Any language tag is answered in the nearest supported language — zh-CN, zh-Hans, zh-TW
    → zh; en-GB → en; anything else as if none was given (the cookie, Accept-Language, else
    zh) — and ``lang`` in the answer says which.
    """
    chosen = supported_lang(lang) or request_lang(request)
    return cached_json(
        request, snapshot, lambda: {"lang": chosen, "messages": page_messages(chosen)}
    )
