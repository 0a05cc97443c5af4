"""Cloud store errors, each with a stable code.

NotFound:     cloudstore_not_found (unknown code, warehouse, closed store, deleted brand),
              activity_not_found, sku_not_found
InvalidInput: brand_required, invalid_activity_window (invalid_coordinates and invalid_radius
              of "stores near me" are the organisation's: ``newretail.org.errors``)
"""

from newretail.kernel.errors import InvalidInput, NotFound


class CloudStoreNotFound(NotFound):
    code = "cloudstore_not_found"
    default_detail = "There is no cloud store with this code."


class ActivityNotFound(NotFound):
    code = "activity_not_found"
    default_detail = "Activity not found."


class SkuNotFound(NotFound):
    code = "sku_not_found"
    default_detail = "SKU not found."


class InvalidActivityWindow(InvalidInput):
    code = "invalid_activity_window"
    default_detail = "An activity must end after it starts."


class BrandRequired(InvalidInput):
    code = "brand_required"
    default_detail = "Filtering by SKU needs the brand (SKU ids belong to one brand)."
