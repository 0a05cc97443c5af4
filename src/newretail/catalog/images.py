"""Product pictures: checked by their content, kept behind a small storage interface.

An upload is accepted only when Pillow decodes its bytes as a JPEG, PNG, WebP or GIF; the
file name and the content type the browser sent are not trusted, and no other decoder is
ever tried. It must be at most ``max_bytes`` long and at most ``MAX_PIXELS`` in area, read
from the header before the pixels are decoded, so a small file cannot unpack into
gigabytes. A stored file is named by the SHA-256 of its bytes: the same picture uploaded
twice is kept once, and a name made that way cannot point outside the storage directory.

    ImageStorage          what the catalog writes through: put a named file, its URL
    LocalImageStorage     a directory (``var/media`` by default) that the app serves
    check_image           bytes -> CheckedImage, or invalid_image / image_too_large
    add_product_image     permission, check, store, append to the product, audit
    remove_product_image  the picture leaves the product (the file stays: others may use it)
"""

import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image
from sqlalchemy.orm import Session

from newretail.audit import service as audit_service
from newretail.catalog import errors
from newretail.catalog.models import Product
from newretail.catalog.products import WRITERS, get_product
from newretail.config import Settings
from newretail.kernel.scope import Scope

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
MAX_PIXELS = 25_000_000
MAX_IMAGES = 30
_NAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}\.(jpg|png|webp|gif)$")
# What a broken or hostile file makes Pillow raise while reading its header or pixels.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


@dataclass(frozen=True, slots=True)
class CheckedImage:
    name: str
    media_type: str
    width: int
    height: int


def check_image(data: bytes, *, max_bytes: int) -> CheckedImage:
    """The picture in ``data`` and the name it is stored under, or why it is refused."""
    if len(data) > max_bytes:
        raise errors.ImageTooLarge(f"The file is {len(data)} bytes; at most {max_bytes}.")
    if not data:
        raise errors.InvalidImage("The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise errors.ImageTooLarge(
                        f"The picture is {width}×{height} pixels; at most {MAX_PIXELS} in all."
                    )
                kind = FORMATS[str(image.format)]
                image.load()  # decodes the pixels: a truncated or corrupt file fails here
    except _DECODE_ERRORS as exc:
        raise errors.InvalidImage() from exc
    digest = hashlib.sha256(data).hexdigest()
    return CheckedImage(f"{digest[:2]}/{digest}.{kind}", MEDIA_TYPES[kind], width, height)


class ImageStorage(Protocol):
    def put(self, name: str, data: bytes) -> None:
        """Keep ``data`` under ``name`` (a name from ``check_image``); idempotent."""

    def url(self, name: str) -> str:
        """Where browsers fetch the picture stored under ``name``."""


class LocalImageStorage:
    """Pictures in a local directory, written atomically, served at ``base_url``."""

    def __init__(self, root: Path, base_url: str) -> None:
        self.root = root
        self.base_url = base_url.rstrip("/")

    def path(self, name: str) -> Path | None:
        """The file of ``name``; None for anything that is not a stored picture's name."""
        return self.root / name if _NAME.match(name) else None

    def put(self, name: str, data: bytes) -> None:
        target = self.path(name)
        if target is None:
            raise ValueError(f"not a picture name: {name!r}")
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, target)

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"


def storage_for(settings: Settings) -> LocalImageStorage:
    return LocalImageStorage(Path(settings.media_dir), settings.media_url)


def media_type_of(name: str) -> str:
    return MEDIA_TYPES[name.rsplit(".", 1)[-1]]


def add_product_image(
    *,
    session: Session,
    scope: Scope,
    product_id: int,
    data: bytes,
    storage: ImageStorage,
    max_bytes: int,
) -> Product:
    """Check ``data``, store it and add it as the product's last picture."""
    product = get_product(session=session, scope=scope, product_id=product_id)
    scope.require(*WRITERS)
    if len(product.images) >= MAX_IMAGES:
        raise errors.TooManyImages()
    checked = check_image(data, max_bytes=max_bytes)
    storage.put(checked.name, data)
    url = storage.url(checked.name)
    if url not in product.images:
        product.images = [*product.images, url]
        session.flush()
        _audit(session, scope, product, "product.image_added", url)
    return product


def remove_product_image(*, session: Session, scope: Scope, product_id: int, url: str) -> Product:
    product = get_product(session=session, scope=scope, product_id=product_id)
    scope.require(*WRITERS)
    if url in product.images:
        product.images = [kept for kept in product.images if kept != url]
        session.flush()
        _audit(session, scope, product, "product.image_removed", url)
    return product


def _audit(session: Session, scope: Scope, product: Product, action: str, url: str) -> None:
    audit_service.write(
        session=session,
        scope=scope,
        action=action,
        target_type="product",
        target_id=product.id,
        brand_id=product.brand_id,
        details={"url": url},
    )
