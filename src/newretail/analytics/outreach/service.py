"""Sends to an audience, for the router (import only this).

sending.py    a coupon and/or a marketing message to every member now in an audience who
              accepts marketing, once per member under the send's key
templates.py  the message template used when the sender names none
"""

from newretail.analytics.outreach.sending import Tally, send_to_audience

__all__ = ["Tally", "send_to_audience"]
