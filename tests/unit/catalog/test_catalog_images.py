"""Uploaded pictures are judged by their bytes, never by their name or declared type."""

import io
from pathlib import Path

import pytest
from PIL import Image

from newretail.catalog import errors
from newretail.catalog.images import LocalImageStorage, check_image

LIMIT = 1024 * 1024


def picture(kind: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=kind)
    return buffer.getvalue()


@pytest.mark.parametrize(("kind", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_real_pictures_are_accepted_and_named_by_their_content(kind: str, extension: str) -> None:
    checked = check_image(picture(kind), max_bytes=LIMIT)

    assert (checked.width, checked.height) == (40, 30)
    assert checked.name.endswith("." + extension)
    assert checked.name[:2] == checked.name[3:5]


def test_the_same_bytes_get_the_same_name() -> None:
    data = picture()

    assert check_image(data, max_bytes=LIMIT).name == check_image(data, max_bytes=LIMIT).name


def test_text_is_refused_whatever_it_is_called() -> None:
    with pytest.raises(errors.InvalidImage):
        check_image(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", max_bytes=LIMIT)


def test_a_truncated_picture_is_refused() -> None:
    data = picture("JPEG", (400, 300))

    with pytest.raises(errors.InvalidImage):
        check_image(data[: len(data) // 2], max_bytes=LIMIT)


def test_formats_other_than_the_four_web_ones_are_refused() -> None:
    with pytest.raises(errors.InvalidImage):
        check_image(picture("BMP"), max_bytes=LIMIT)


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(errors.InvalidImage):
        check_image(b"", max_bytes=LIMIT)


def test_a_file_over_the_limit_is_refused_before_decoding() -> None:
    data = picture()

    with pytest.raises(errors.ImageTooLarge):
        check_image(data, max_bytes=len(data) - 1)


def test_a_small_file_of_huge_dimensions_is_refused() -> None:
    buffer = io.BytesIO()
    Image.new("1", (6000, 6000)).save(buffer, format="PNG")

    with pytest.raises(errors.ImageTooLarge):
        check_image(buffer.getvalue(), max_bytes=LIMIT)


def test_local_storage_writes_once_and_serves_under_its_url(tmp_path: Path) -> None:
    storage = LocalImageStorage(tmp_path / "media", "/media/")
    data = picture()
    checked = check_image(data, max_bytes=LIMIT)

    storage.put(checked.name, data)
    storage.put(checked.name, data)

    path = storage.path(checked.name)
    assert path is not None and path.read_bytes() == data
    assert storage.url(checked.name) == f"/media/{checked.name}"
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.parametrize("name", ["../etc/passwd", "ab/../../x.png", "ab/cd.png", "/tmp/x.png"])
def test_local_storage_knows_nothing_but_picture_names(tmp_path: Path, name: str) -> None:
    storage = LocalImageStorage(tmp_path, "/media")

    assert storage.path(name) is None
    with pytest.raises(ValueError, match="not a picture name"):
        storage.put(name, b"x")
