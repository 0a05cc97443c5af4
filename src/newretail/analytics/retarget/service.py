"""Re-targeting near stores, for the router and the worker (import only this).

definitions.py  define, read and stop a brand's rules; the offers each sent, and how many
sending.py      the worker's round: geo events near a store -> offers, once per period
rules.py        distances, periods, freshness (pure)
templates.py    the default message template, and the check of a rule's own
"""

from newretail.analytics.retarget.definitions import (
    create_rule,
    get_rule,
    list_rules,
    sends_of,
    sent_counts,
    stop_rule,
)
from newretail.analytics.retarget.sending import any_active, run_due, run_rule

__all__ = [
    "any_active",
    "create_rule",
    "get_rule",
    "list_rules",
    "run_due",
    "run_rule",
    "sends_of",
    "sent_counts",
    "stop_rule",
]
