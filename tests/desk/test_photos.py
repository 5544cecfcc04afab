"""Photos: capped, checked as images, re-encoded without EXIF (no GPS), named by content."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from lifecircle.desk import photos
from lifecircle.errors import DeskError


def jpeg(size: tuple[int, int] = (64, 48), *, gps: bool = False) -> bytes:
    """A small JPEG (a generated picture, not a real photo), optionally with a GPS EXIF tag."""
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (39.0, 6.0, 30.0)}  # GPSInfo: 39° 6′ 30″ N
        exif[0x0112] = 6  # orientation: rotated 90°
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def test_a_photo_is_stored_upright_without_exif_under_its_hash(tmp_path):
    data = jpeg(gps=True)
    assert Image.open(io.BytesIO(data)).getexif().get(0x8825) is not None
    name = photos.save_photo(tmp_path, data, max_bytes=10**6)
    assert len(name) == 36 and name.endswith(".jpg")
    with Image.open(photos.photo_path(tmp_path, name)) as stored:
        assert stored.format == "JPEG" and stored.size == (48, 64)  # turned upright
        assert dict(stored.getexif()) == {}
    assert photos.save_photo(tmp_path, data, max_bytes=10**6) == name  # the same photo, once


def test_a_large_photo_is_scaled_down(tmp_path):
    name = photos.save_photo(tmp_path, jpeg((4000, 3000)), max_bytes=10**7)
    with Image.open(photos.photo_path(tmp_path, name)) as stored:
        assert stored.size == (2560, 1920)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"\xff\xd8\xff" + b"\0" * 100, "error.desk.photo_unreadable"),
        (b"<svg onload=alert(1)>", "error.desk.photo_unreadable"),
        (b"GIF89a" + b"\0" * 100, "error.desk.photo_unreadable"),
    ],
)
def test_what_is_not_a_readable_photo_is_refused(tmp_path, data, key):
    with pytest.raises(DeskError) as info:
        photos.save_photo(tmp_path, data, max_bytes=10**6)
    assert info.value.msg.key == key and info.value.field == "photo"
    assert not any(tmp_path.iterdir())


def test_other_image_formats_and_oversized_files_are_refused(tmp_path):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(DeskError) as info:
        photos.save_photo(tmp_path, out.getvalue(), max_bytes=10**6)
    assert info.value.msg.key == "error.desk.photo_type" and "GIF" in str(info.value)
    with pytest.raises(DeskError) as info:
        photos.save_photo(tmp_path, jpeg() + b"\0" * 2_000_000, max_bytes=1_000_000)
    assert info.value.msg.key == "error.desk.photo_too_large" and "1.0 MB limit" in str(info.value)


def test_a_decompression_bomb_is_refused_before_it_is_decoded(tmp_path):
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")  # 100 MP in a few kB
    with pytest.raises(DeskError) as info:
        photos.save_photo(tmp_path, out.getvalue(), max_bytes=10**7)
    assert info.value.msg.key == "error.desk.photo_pixels" and "10000×10000" in str(info.value)


@pytest.mark.parametrize(
    "name", ["../secret.jpg", "a" * 32 + ".png", "/etc/passwd", "A" * 32 + ".jpg"]
)
def test_names_that_are_not_ours_never_reach_the_disk(tmp_path, name):
    with pytest.raises(DeskError):
        photos.photo_path(tmp_path, name)
