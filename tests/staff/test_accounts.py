"""Staff accounts: argon2 hashes, roles bound to an area, and who may edit which record."""

from __future__ import annotations

import pytest

from lifecircle.errors import AccessDenied, UserError
from lifecircle.model import Facility
from lifecircle.staff.accounts import (
    User,
    add_user,
    authenticate,
    can_edit,
    list_users,
    remove_user,
    require_edit,
    set_disabled,
    set_password,
)
from lifecircle.staff.sessions import open_session, session_of
from tests.staff.conftest import NEIGHBOUR, OWN, PASSWORD, SUBDISTRICT


def _facility(community: str = "", subdistrict: str = "") -> Facility:
    return Facility(
        "sheet:t:1", "卫生站", "clinic", 24.94, 60.17, community=community, subdistrict=subdistrict
    )


def test_a_password_is_stored_as_an_argon2id_hash_and_checked(staff_project):
    with staff_project.open_store() as store:
        row = store.accounts.get_user("own")
        assert row is not None
        assert row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in row.password_hash
        assert authenticate(store, "own", PASSWORD) == User("own", "community", OWN, row.created_at)
        assert authenticate(store, "own", PASSWORD + "x") is None
        assert authenticate(store, "nobody", PASSWORD) is None


def _session(store, name: str) -> str:
    user = authenticate(store, name, PASSWORD)
    assert user is not None
    token, _csrf = open_session(store, user, ip="10.0.0.1", hours=1)
    assert session_of(store, token) is not None
    return token


def test_new_password_replaces_the_old_and_ends_the_sessions(staff_project):
    with staff_project.open_store() as store:
        token = _session(store, "own")
        other = _session(store, "neighbour")
        set_password(store, "own", "a new long password")
        assert authenticate(store, "own", PASSWORD) is None
        assert authenticate(store, "own", "a new long password") is not None
        assert session_of(store, token) is None
        assert session_of(store, other) is not None  # only the account's own sessions end
        actions = [(a.action, a.target) for a in store.accounts.audit(limit=3)]
        assert actions[0] == ("user.passwd", "own")


def test_disabling_ends_the_sessions_and_logins_until_enabled(staff_project):
    with staff_project.open_store() as store:
        token = _session(store, "own")
        set_disabled(store, "own", True)
        assert session_of(store, token) is None
        assert authenticate(store, "own", PASSWORD) is None
        set_disabled(store, "own", False)
        assert session_of(store, token) is None  # enabling does not revive old sessions
        assert authenticate(store, "own", PASSWORD) is not None
        actions = [a.action for a in store.accounts.audit(limit=2)]
        assert actions == ["user.enable", "user.disable"]
        with pytest.raises(UserError, match="no user 'ghost'"):
            set_disabled(store, "ghost", True)


def test_removing_a_user_keeps_the_audit_log_and_ends_the_sessions(staff_project):
    with staff_project.open_store() as store:
        token = _session(store, "neighbour")
        remove_user(store, "neighbour")
        assert session_of(store, token) is None
        assert "neighbour" not in [u.name for u in list_users(store)]
        assert authenticate(store, "neighbour", PASSWORD) is None
        assert ("user.add", "neighbour") in [(a.action, a.target) for a in store.accounts.audit()]
        with pytest.raises(UserError, match="no user 'neighbour'"):
            remove_user(store, "neighbour")


@pytest.mark.parametrize(
    ("name", "password", "level", "area", "message"),
    [
        ("li", PASSWORD, "community", "不存在社区", "no community named '不存在社区'.*演示社区"),
        ("li", PASSWORD, "community", "", "needs its area"),
        ("li", "short", "community", OWN, "too short"),
        ("li", "12345678", "community", OWN, "too short"),
        ("li", "1234567890", "community", OWN, "common passwords"),
        ("li", "Woaini1314", "community", OWN, "common passwords"),
        ("wangfang", "wangfang2024", "community", OWN, "mostly the user name"),
        ("li", PASSWORD, "mayor", OWN, "unknown role 'mayor'"),
        ("li wang", PASSWORD, "community", OWN, "not usable"),
        ("own", PASSWORD, "community", OWN, "already exists"),
    ],
)
def test_bad_accounts_are_refused_with_a_reason(
    staff_project, name, password, level, area, message
):
    with staff_project.open_store() as store:
        before = len(list_users(store))
        with pytest.raises(UserError, match=message):
            add_user(store, name, password, level=level, area=area)
        assert len(list_users(store)) == before


def test_roles_edit_only_their_own_area():
    own = User("a", "community", OWN, "")
    street = User("b", "subdistrict", SUBDISTRICT, "")
    district = User("c", "district", "演示区", "")
    mine = _facility(OWN, SUBDISTRICT)
    theirs = _facility(NEIGHBOUR, SUBDISTRICT)
    nowhere = _facility()
    assert [can_edit(own, f) for f in (mine, theirs, nowhere)] == [True, False, False]
    assert [can_edit(street, f) for f in (mine, theirs, nowhere)] == [True, True, False]
    assert [can_edit(district, f) for f in (mine, theirs, nowhere)] == [True, True, True]
    assert not can_edit(User("d", "district", "", "", disabled=True), mine)
    with pytest.raises(AccessDenied) as caught:
        require_edit(own, theirs)
    assert NEIGHBOUR in caught.value.message("zh") and "社区级（演示社区）" in caught.value.message(
        "zh"
    )


# -- grid desk roles (issue 14) ------------------------------------------------------------------


def test_grid_accounts_are_bound_to_a_known_grid_and_edit_no_records(make_project):
    from lifecircle.errors import AccessDenied, UserError
    from lifecircle.model import Facility
    from lifecircle.staff.accounts import add_user, can_edit, require_editor
    from lifecircle.staff.records import add_facility
    from lifecircle.store.accounts import AuditEntry
    from lifecircle.store.grids import GridRow

    project = make_project()
    with project.open_store() as store:
        grids = [
            GridRow("G1", "一网格", "grid", community="桃园社区"),
            GridRow("G1-1", "微网格", "microgrid", parent="G1"),
        ]
        store.grids.replace_all(
            grids, now_s=0, audit=AuditEntry("test", "desk.grids.import", "test")
        )
        with pytest.raises(UserError) as info:
            add_user(store, "wang", "long enough", level="grid", area="G9")
        assert "G1" in str(info.value) and "G1-1" not in str(info.value)  # grids, not micro-grids
        with pytest.raises(UserError):
            add_user(store, "zhao", "long enough", level="microgrid", area="G1")
        wang = add_user(store, "wang", "long enough", level="grid", area="G1")
        zhao = add_user(store, "zhao", "long enough", level="microgrid", area="G1-1")
    assert (
        wang.role_label().render("zh") == "网格员（G1）"
        and zhao.role_label().render("en") == "micro-grid head (G1-1)"
    )
    clinic = Facility(
        "sheet:a:1", "卫生站", "clinic", 117.2, 39.1, community="G1"
    )  # even a matching name
    assert not can_edit(wang, clinic)
    with pytest.raises(AccessDenied) as info:
        require_editor(wang)
    assert info.value.msg.key == "error.user.desk_only"
    with pytest.raises(AccessDenied):
        add_facility(project, wang, {"name": "x", "type_code": "clinic", "lon": 117.2, "lat": 39.1})
