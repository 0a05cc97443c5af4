"""Event collection's use cases (import only this):

validate.py   each event judged alone: envelope, typed properties, context, clock, sender
ingest.py     a batch kept: store and member checks, consent, bulk insert, quarantine,
              identities seen together linked through the members' merge rules
platform.py   the platform's own events (orders paid, scans, sign-ups, deposits) from
              the outbox, one event per outbox row
senders.py    who may send: the brand's API key or staff, or a store page's token
"""

from newretail.analytics.events.ingest import clock_of, ingest
from newretail.analytics.events.senders import issue_page_token, sender_for
from newretail.analytics.events.validate import Sender

__all__ = ["Sender", "clock_of", "ingest", "issue_page_token", "sender_for"]
