"""Coupon package errors, each with a stable code.

NotFound:      package_not_found
InvalidInput:  invalid_package (a district package without its district, a template twice,
               candidates missing), dates_reversed (from promotions.errors)
Conflict:      package_not_draft, package_empty, package_stale, package_closed,
               package_already_claimed, packages_exhausted; and a benefit's own refusal
               (coupons_exhausted, budget_exhausted, member_limit_reached, claim_closed)
               when one of its templates cannot issue: the whole claim is refused
"""

from newretail.kernel.errors import Conflict, InvalidInput, NotFound


class PackageNotFound(NotFound):
    code = "package_not_found"
    default_detail = "Coupon package not found."


class InvalidPackage(InvalidInput):
    code = "invalid_package"
    default_detail = "The package's candidates or settings do not make a package."


class PackageNotDraft(Conflict):
    code = "package_not_draft"
    default_detail = "Only a draft package can be changed, assembled or published."


class PackageEmpty(Conflict):
    code = "package_empty"
    default_detail = "The optimiser picked no benefit: there is nothing to publish."


class PackageStale(Conflict):
    code = "package_stale"
    default_detail = "A picked template changed since the package was assembled."


class PackageClosed(Conflict):
    code = "package_closed"
    default_detail = "This package cannot be claimed now."


class PackageAlreadyClaimed(Conflict):
    code = "package_already_claimed"
    default_detail = "You have claimed this package already."


class PackagesExhausted(Conflict):
    code = "packages_exhausted"
    default_detail = "Every package has been claimed."
