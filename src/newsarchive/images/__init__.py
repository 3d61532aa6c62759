"""The article's own pictures, archived with it: chosen from the page (`choose`, which needs
the extractor and so is imported from its module where a page is extracted), checked
(`formats`), downloaded (`download`), kept once each by content (`files`) and shown from the
archive by the Markdown (`links`)."""

from newsarchive.images.download import (
    Kept,
    Picture,
    Wanted,
    drop_all,
    get_picture,
    get_pictures,
    keep,
    refusal,
)
from newsarchive.images.files import IMAGES_DIR, ImageFiles, Pending
from newsarchive.images.links import image_urls, localize, relative_prefix

__all__ = [
    "IMAGES_DIR",
    "ImageFiles",
    "Kept",
    "Pending",
    "Picture",
    "Wanted",
    "drop_all",
    "get_picture",
    "get_pictures",
    "image_urls",
    "keep",
    "localize",
    "refusal",
    "relative_prefix",
]
