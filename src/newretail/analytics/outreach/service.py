"""Sends to an audience, for the router (import only this).

sending.py    a coupon and/or a marketing message to every member now in an audience who
              accepts marketing, once per member under the send's key: a run the request
              starts and the worker finishes, a chunk of members a transaction
jobs.py       the worker's round of it
templates.py  the message template used when the sender names none
"""

from newretail.analytics.outreach.sending import get_run, list_runs, send_to_audience

__all__ = ["get_run", "list_runs", "send_to_audience"]
