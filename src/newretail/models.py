"""Imports every domain's models so the metadata is complete (Alembic, tests, create_all)."""

from newretail.audit import models as audit_models
from newretail.auth import models as auth_models
from newretail.db import Base
from newretail.org import models as org_models
from newretail.outbox import models as outbox_models

__all__ = ["Base", "audit_models", "auth_models", "org_models", "outbox_models"]
