"""Saved reports' use cases, for the routers and the pages (import only this).

saved.py     a brand's saved reports: list, read, save, change, delete; the standard
             ones (seed funnel, traffic layers, ``standard``) installed on demand and
             read as defined until then
labels.py    names of the stores and districts a breakdown shows
period.py    the period an analysis covers
"""

from newretail.analytics.reports.labels import names
from newretail.analytics.reports.period import Period, period
from newretail.analytics.reports.saved import (
    create_report,
    delete_report,
    get_report,
    install_standard,
    list_reports,
    spec_of,
    standard_spec,
    update_report,
)

__all__ = [
    "Period",
    "create_report",
    "delete_report",
    "get_report",
    "install_standard",
    "list_reports",
    "names",
    "period",
    "spec_of",
    "standard_spec",
    "update_report",
]
