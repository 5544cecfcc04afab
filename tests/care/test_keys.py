"""The register's keys: sealing, the key file, refusing without one, rotation's building blocks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lifecircle.care.keys import KeyRing, add_key, drop_keys, load_key_ring, make_key_file
from lifecircle.errors import ConfigError


def test_a_sealed_value_opens_only_where_it_was_sealed(tmp_path: Path) -> None:
    ring = make_key_file(tmp_path / "k")
    sealed = ring.encrypt("13812341234", "person:ab:phones")
    assert ring.decrypt(sealed, "person:ab:phones") == "13812341234"
    with pytest.raises(ConfigError, match="does not decrypt"):
        ring.decrypt(sealed, "person:cd:phones")  # copied into another person's row


def test_another_key_file_cannot_open_the_values(tmp_path: Path) -> None:
    sealed = make_key_file(tmp_path / "a").encrypt("王桂兰", "w")
    other = make_key_file(tmp_path / "b")
    with pytest.raises(ConfigError, match="does not decrypt"):
        other.decrypt(sealed, "w")


def test_no_key_setting_says_how_to_make_one() -> None:
    with pytest.raises(ConfigError, match="care init-key"):
        load_key_ring("")


def test_a_missing_key_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_key_ring(str(tmp_path / "none.key"))


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k"
    make_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_key_ring(str(path))


def test_make_key_file_never_overwrites(tmp_path: Path) -> None:
    make_key_file(tmp_path / "k")
    with pytest.raises(ConfigError, match="rotate-key"):
        make_key_file(tmp_path / "k")


def test_a_bad_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "k"
    path.write_text("# keys\nk1 not-base64!\n")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="line 2"):
        load_key_ring(str(path))


def test_a_new_key_becomes_current_and_old_values_still_open(tmp_path: Path) -> None:
    ring = make_key_file(tmp_path / "k")
    old = ring.encrypt("x", "w")
    ring = add_key(ring)
    assert ring.current == "k2"
    assert load_key_ring(ring.path).current == "k2"
    assert ring.key_id_of(ring.encrypt("x", "w")) == "k2"
    assert ring.decrypt(old, "w") == "x"
    dropped = drop_keys(ring, keep=set())
    assert [i for i, _ in dropped.keys] == ["k2"]
    with pytest.raises(ConfigError, match="k1"):
        load_key_ring(ring.path).decrypt(old, "w")


def test_values_carry_their_key_id() -> None:
    ring = KeyRing("mem", (("k1", bytes(32)), ("k2", bytes([1]) * 32)))
    assert ring.encrypt("a", "w").split(".")[1] == "k2"
