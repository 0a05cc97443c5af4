"""Event collection's use cases (import only this):

validate.py   each event judged alone: envelope, typed properties, context, clock, sender
ingest.py     a batch kept: store and member checks, identities seen together linked
              through the members' merge rules, consent, bulk insert, quarantine
consent.py    the events of a member who refuses analytics deleted, under every key that
              is them (the warehouse sync finds who)
platform.py   the platform's own events (orders paid, scans, sign-ups, deposits) from
              the outbox, one event per outbox row
senders.py    who may send: the brand's API key or staff, or a store page's token
"""

from newretail.analytics.events.consent import forget
from newretail.analytics.events.ingest import clock_of, ingest
from newretail.analytics.events.senders import issue_page_token, sender_for
from newretail.analytics.events.validate import Sender

__all__ = ["Sender", "clock_of", "forget", "ingest", "issue_page_token", "sender_for"]
