"""Errors of the guide's workbench.

NotFound
  NotAGuide             the caller holds the guide role at no store
  ProductNotShareable   the product is not on sale in the guide's store
"""

from newretail.kernel.errors import NotFound


class NotAGuide(NotFound):
    code = "not_a_guide"
    default_detail = "This account is not a shopping guide of any store."


class ProductNotShareable(NotFound):
    code = "product_not_shareable"
    default_detail = "This product is not on sale in your store."
