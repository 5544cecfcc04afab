"""``lifecircle user``: add (prompted or from stdin), list, passwd, remove."""

from __future__ import annotations

import json

from click.testing import CliRunner

from lifecircle.cli.main import main
from lifecircle.staff.accounts import authenticate
from tests.staff.conftest import OWN, PASSWORD


def _run(project, *args: str, stdin: str = ""):
    return CliRunner().invoke(main, ["-p", str(project.root), *args], input=stdin)


def test_add_reads_the_password_from_stdin_and_the_user_can_log_in(staff_project):
    result = _run(
        staff_project,
        "user",
        "add",
        "li",
        "--role",
        "community",
        "--area",
        OWN,
        "--password-stdin",
        stdin="a long secret\n",
    )
    assert result.exit_code == 0, result.output
    assert "li" in result.output and "社区级（演示社区）" in result.output
    with staff_project.open_store() as store:
        assert authenticate(store, "li", "a long secret") is not None


def test_add_prompts_twice_when_no_stdin_flag(staff_project):
    result = _run(
        staff_project,
        "--lang",
        "en",
        "user",
        "add",
        "boss",
        "--role",
        "district",
        stdin="another secret\nanother secret\n",
    )
    assert result.exit_code == 0, result.output
    assert "Repeat the password" in result.output
    listed = json.loads(_run(staff_project, "user", "list", "--json").output)
    boss = next(u for u in listed if u["name"] == "boss")
    assert (boss["level"], boss["area"]) == ("district", staff_project.area_name)
    assert "password_hash" not in boss


def test_errors_are_one_line_with_exit_status_1(staff_project):
    result = _run(
        staff_project,
        "--lang",
        "en",
        "user",
        "add",
        "li",
        "--role",
        "community",
        "--area",
        "没有社区",
        "--password-stdin",
        stdin="a long secret\n",
    )
    assert result.exit_code == 1
    assert "no community named '没有社区'" in result.output
    short = _run(staff_project, "user", "passwd", "own", "--password-stdin", stdin="short\n")
    assert short.exit_code == 1 and "密码太短" in short.output


def test_passwd_list_and_remove(staff_project):
    done = _run(staff_project, "user", "passwd", "own", "--password-stdin", stdin="fresh secret\n")
    assert done.exit_code == 0, done.output
    with staff_project.open_store() as store:
        assert authenticate(store, "own", "fresh secret") is not None
    table = _run(staff_project, "--lang", "en", "user", "list").output
    assert "own" in table and "community (演示社区)" in table
    assert _run(staff_project, "user", "remove", "own").exit_code == 0
    missing = _run(staff_project, "--lang", "en", "user", "remove", "own")
    assert missing.exit_code == 1 and "there is no user 'own'" in missing.output


def test_disable_ends_logins_and_enable_allows_them_again(staff_project):
    assert _run(staff_project, "--lang", "en", "user", "disable", "own").exit_code == 0
    with staff_project.open_store() as store:
        assert authenticate(store, "own", PASSWORD) is None
    listed = json.loads(_run(staff_project, "user", "list", "--json").output)
    assert next(u for u in listed if u["name"] == "own")["disabled"] is True
    assert "已停用" in _run(staff_project, "user", "list").output
    enabled = _run(staff_project, "--lang", "en", "user", "enable", "own")
    assert enabled.exit_code == 0 and "enabled" in enabled.output
    with staff_project.open_store() as store:
        assert authenticate(store, "own", PASSWORD) is not None
    missing = _run(staff_project, "--lang", "en", "user", "disable", "ghost")
    assert missing.exit_code == 1 and "there is no user 'ghost'" in missing.output


def test_common_passwords_are_refused_on_the_command_line(staff_project):
    result = _run(
        staff_project,
        "--lang",
        "en",
        "user",
        "passwd",
        "own",
        "--password-stdin",
        stdin="1234567890\n",
    )
    assert result.exit_code == 1 and "common passwords" in result.output
