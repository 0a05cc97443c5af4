"""Photos uploaded as a task's proof, kept where the catalog keeps its pictures."""

from newretail.catalog import service as catalog_service
from newretail.config import Settings


def store_picture(*, settings: Settings, data: bytes) -> str:
    """Check the picture, store it and answer its URL (refused pictures raise the catalog's
    errors: too large, not a picture)."""
    checked = catalog_service.check_image(data, max_bytes=settings.media_max_bytes)
    storage = catalog_service.storage_for(settings)
    storage.put(checked.name, data)
    return storage.url(checked.name)
