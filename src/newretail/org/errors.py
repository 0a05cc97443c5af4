from newretail.kernel.errors import Conflict, InvalidInput, NotFound


class BrandNotFound(NotFound):
    code = "brand_not_found"
    default_detail = "Brand not found."


class RegionNotFound(NotFound):
    code = "region_not_found"
    default_detail = "Region not found."


class StoreNotFound(NotFound):
    code = "store_not_found"
    default_detail = "Store not found."


class DistrictNotFound(NotFound):
    code = "district_not_found"
    default_detail = "Business district not found."


class BrandCodeTaken(Conflict):
    code = "brand_code_taken"
    default_detail = "Another brand already uses this code."


class RegionCodeTaken(Conflict):
    code = "region_code_taken"
    default_detail = "Another region of this brand already uses this code."


class StoreCodeTaken(Conflict):
    code = "store_code_taken"
    default_detail = "Another store of this brand already uses this code."


class DistrictCodeTaken(Conflict):
    code = "district_code_taken"
    default_detail = "Another business district already uses this code."


class RegionCycle(InvalidInput):
    code = "region_cycle"
    default_detail = "A region cannot be placed under itself or one of its descendants."


class RegionNotEmpty(Conflict):
    code = "region_not_empty"
    default_detail = "The region still has sub-regions or stores."


class RootRegionRequired(InvalidInput):
    code = "region_parent_required"
    default_detail = "Only a brand-wide admin may create or move a region to the top level."


class InvalidCoordinates(InvalidInput):
    code = "invalid_coordinates"
    default_detail = "lat and lng must name a point on Earth."


class InvalidRadius(InvalidInput):
    code = "invalid_radius"
    default_detail = "radius_km is out of range."
