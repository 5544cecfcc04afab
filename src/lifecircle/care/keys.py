"""The register's keys: AES-256-GCM with a fresh nonce per value, the key id kept with each value.

Keys live in a key file outside the database (the ``care_key_path`` setting, or the
``LIFECIRCLE_CARE_KEY_PATH`` environment variable), one ``<id> <base64 key>`` per line, the
last line the current key; older lines stay so values not yet re-encrypted can be read. A value
is bound to where it is stored (its table, field and row) through the cipher's associated
data, so a ciphertext copied into another field or person does not decrypt. Nothing here
touches the store.
"""

from __future__ import annotations

import base64
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lifecircle.errors import ConfigError

#: Stored value: ``v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>``.
PREFIX = "v1"
NONCE_BYTES = 12
KEY_BYTES = 32
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


@dataclass(frozen=True)
class KeyRing:
    """The register's keys by id; ``current`` encrypts, any of them decrypts."""

    path: str
    keys: tuple[tuple[str, bytes], ...]

    @property
    def current(self) -> str:
        """The id of the key new values are encrypted with (the file's last line)."""
        return self.keys[-1][0]

    def key(self, key_id: str) -> bytes | None:
        """Return the key with this id, or ``None``."""
        return next((k for i, k in self.keys if i == key_id), None)

    def encrypt(self, plain: str, where: str) -> str:
        """Encrypt ``plain`` for the place ``where`` (``person:7:name``) with the current key.

        >>> ring = KeyRing("k", (("k1", bytes(32)),))
        >>> sealed = ring.encrypt("王桂兰", "person:1:name")
        >>> sealed.startswith("v1.k1."), "王桂兰" in sealed, ring.decrypt(sealed, "person:1:name")
        (True, False, '王桂兰')
        >>> ring.encrypt("王桂兰", "person:1:name") == sealed  # a new nonce every time
        False
        """
        key_id, key = self.keys[-1]
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, plain.encode("utf-8"), where.encode("utf-8"))
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
        return f"{PREFIX}.{key_id}.{body}"

    def decrypt(self, stored: str, where: str) -> str:
        """Decrypt a stored value written for ``where``.

        Raises
        ------
        ConfigError
            The value's key is not in the key file, or the value does not decrypt (another
            key file, a value moved from elsewhere, or damage).
        """
        version, _, rest = stored.partition(".")
        key_id, _, body = rest.partition(".")
        key = self.key(key_id)
        if version != PREFIX or key is None:
            raise ConfigError("error.care.key_missing", key_id=key_id or "?", path=self.path)
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], where.encode())
        except (InvalidTag, ValueError):
            raise ConfigError("error.care.undecryptable", where=where, path=self.path) from None
        return plain.decode("utf-8")

    def key_id_of(self, stored: str) -> str:
        """Return the id of the key a stored value was encrypted with.

        >>> KeyRing("k", (("k1", bytes(32)),)).key_id_of("v1.k7.AAAA")
        'k7'
        """
        return stored.split(".", 2)[1] if stored.count(".") >= 2 else ""


def _unsafe_mode(path: Path) -> bool:
    """Tell whether a key file can be read or written by others than its owner (POSIX)."""
    if os.name != "posix":
        return False
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def _parse(path: Path, text: str) -> tuple[tuple[str, bytes], ...]:
    keys: list[tuple[str, bytes]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key_id, _, encoded = line.partition(" ")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except ValueError:
            key = b""
        if len(key) != KEY_BYTES or not key_id or not set(key_id) <= _ID_CHARS:
            raise ConfigError("error.care.key_line", path=path, line=number)
        if any(key_id == known for known, _ in keys):
            raise ConfigError("error.care.key_line", path=path, line=number)
        keys.append((key_id, key))
    if not keys:
        raise ConfigError("error.care.key_empty", path=path)
    return tuple(keys)


def load_key_ring(path_text: str) -> KeyRing:
    """Read the key file the ``care_key_path`` setting names.

    Raises
    ------
    ConfigError
        No key file is set, it is missing, others may read it, or a line is wrong; the message
        says how to make one (``lifecircle care init-key``).
    """
    if not path_text.strip():
        raise ConfigError("error.care.no_key_setting")
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise ConfigError("error.care.no_key_file", path=path)
    if _unsafe_mode(path):
        raise ConfigError("error.care.key_mode", path=path)
    return KeyRing(str(path), _parse(path, path.read_text(encoding="ascii", errors="replace")))


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read, replacing any old one in one step."""
    part = path.with_name(path.name + ".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(part, path)


def _line(key_id: str, key: bytes) -> str:
    return f"{key_id} {base64.b64encode(key).decode('ascii')}\n"


def make_key_file(path: Path, *, key_id: str = "k1") -> KeyRing:
    """Create a new key file with one random key (mode 0600); refuse to overwrite one.

    Raises
    ------
    ConfigError
        A file is already there.
    """
    if path.exists():
        raise ConfigError("error.care.key_exists", path=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    header = "# lifecircle welfare register keys: keep apart from the database and its backups\n"
    _write_private(path, header + _line(key_id, key))
    return KeyRing(str(path), ((key_id, key),))


def add_key(ring: KeyRing) -> KeyRing:
    """Append a new random key to the ring's file and make it current (older keys kept)."""
    number = 1 + max((int(i[1:]) for i, _ in ring.keys if i[1:].isdigit()), default=0)
    new = (f"k{number}", secrets.token_bytes(KEY_BYTES))
    keys = (*ring.keys, new)
    return _save(KeyRing(ring.path, keys))


def drop_keys(ring: KeyRing, keep: set[str]) -> KeyRing:
    """Rewrite the key file with only the keys in ``keep`` (the current one always stays)."""
    keys = tuple((i, k) for i, k in ring.keys if i in keep or i == ring.current)
    return _save(KeyRing(ring.path, keys))


def _save(ring: KeyRing) -> KeyRing:
    header = "# lifecircle welfare register keys: keep apart from the database and its backups\n"
    _write_private(Path(ring.path), header + "".join(_line(i, k) for i, k in ring.keys))
    return ring
