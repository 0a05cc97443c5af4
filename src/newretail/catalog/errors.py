"""Catalog errors, each with a stable code.

    NotFound      category_not_found, product_not_found, sku_not_found, offer_not_found
    Conflict      category_code_taken, product_code_taken, sku_code_taken, barcode_taken,
                  offer_scope_taken, category_not_empty
    InvalidInput  category_cycle, invalid_offer_scope, invalid_channel, invalid_price,
                  currency_mismatch (``newretail.kernel.money.CurrencyMismatch``),
                  invalid_image, image_too_large (413), too_many_images

Import files have their own file-level errors in ``files.py`` (bad_encoding,
missing_column, unknown_column, invalid_file, payload_too_large); bad rows are not
exceptions but entries of the import report, each with a line and a code.
"""

from newretail.kernel.errors import Conflict, InvalidInput, NotFound


class CategoryNotFound(NotFound):
    code = "category_not_found"
    default_detail = "Category not found."


class ProductNotFound(NotFound):
    code = "product_not_found"
    default_detail = "Product not found."


class SkuNotFound(NotFound):
    code = "sku_not_found"
    default_detail = "SKU not found."


class OfferNotFound(NotFound):
    code = "offer_not_found"
    default_detail = "Offer not found."


class CategoryCodeTaken(Conflict):
    code = "category_code_taken"
    default_detail = "Another category of this brand already uses this code."


class ProductCodeTaken(Conflict):
    code = "product_code_taken"
    default_detail = "Another product of this brand already uses this code."


class SkuCodeTaken(Conflict):
    code = "sku_code_taken"
    default_detail = "Another SKU of this brand already uses this code."


class BarcodeTaken(Conflict):
    code = "barcode_taken"
    default_detail = "Another SKU of this brand already uses this barcode."


class OfferScopeTaken(Conflict):
    code = "offer_scope_taken"
    default_detail = "This SKU already has an offer at this scope; update that one."


class CategoryNotEmpty(Conflict):
    code = "category_not_empty"
    default_detail = "The category still has sub-categories or products."


class CategoryCycle(InvalidInput):
    code = "category_cycle"
    default_detail = "A category cannot be placed under itself or one of its descendants."


class InvalidOfferScope(InvalidInput):
    code = "invalid_offer_scope"
    default_detail = (
        "An offer is set for a store or a region, not both; a region offer has no channel."
    )


class InvalidChannel(InvalidInput):
    code = "invalid_channel"
    default_detail = "Unknown sales channel."


class InvalidPrice(InvalidInput):
    code = "invalid_price"
    default_detail = "The price is not valid."


class InvalidImage(InvalidInput):
    code = "invalid_image"
    default_detail = "The file is not a JPEG, PNG, WebP or GIF picture."


class ImageTooLarge(InvalidInput):
    code = "image_too_large"
    status = 413
    default_detail = "The picture is too large."


class TooManyImages(InvalidInput):
    code = "too_many_images"
    default_detail = "A product has at most 30 pictures; remove one first."
