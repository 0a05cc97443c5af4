"""Imports every domain's models so the metadata is complete (Alembic, tests, create_all)."""

from newretail.analytics.audiences import models as analytics_audience_models
from newretail.analytics.events import models as analytics_event_models
from newretail.analytics.outreach import models as analytics_outreach_models
from newretail.analytics.reports import models as analytics_report_models
from newretail.analytics.retarget import models as analytics_retarget_models
from newretail.audit import models as audit_models
from newretail.auth import models as auth_models
from newretail.catalog import models as catalog_models
from newretail.cloudstore import models as cloudstore_models
from newretail.commission import models as commission_models
from newretail.commission import plan_models as commission_plan_models
from newretail.commission import settlement_models as commission_settlement_models
from newretail.db import Base
from newretail.integrations import models as integrations_models
from newretail.inventory import models as inventory_models
from newretail.kernel import models as kernel_models
from newretail.kernel import stamps as kernel_stamps
from newretail.members import models as members_models
from newretail.notify import models as notify_models
from newretail.orders import models as orders_models
from newretail.org import models as org_models
from newretail.outbox import models as outbox_models
from newretail.paylater import models as paylater_models
from newretail.payments import models as payments_models
from newretail.payments.merchants import models as payments_merchant_models
from newretail.pos import models as pos_models
from newretail.presales import models as presales_models
from newretail.promotions import models as promotions_models
from newretail.promotions.packages import models as promotion_package_models
from newretail.returns import models as returns_models
from newretail.touchpoints import models as touchpoints_models
from newretail.workbench import models as workbench_models

__all__ = [
    "Base",
    "analytics_audience_models",
    "analytics_event_models",
    "analytics_outreach_models",
    "analytics_report_models",
    "analytics_retarget_models",
    "audit_models",
    "auth_models",
    "catalog_models",
    "cloudstore_models",
    "commission_models",
    "commission_plan_models",
    "commission_settlement_models",
    "integrations_models",
    "inventory_models",
    "kernel_models",
    "kernel_stamps",
    "members_models",
    "notify_models",
    "orders_models",
    "org_models",
    "outbox_models",
    "paylater_models",
    "payments_merchant_models",
    "payments_models",
    "pos_models",
    "presales_models",
    "promotion_package_models",
    "promotions_models",
    "returns_models",
    "touchpoints_models",
    "workbench_models",
]
