"""Adapters that carry a message out of the platform, one module per channel.

Each adapter is a callable ``(client, outgoing, config) -> Outcome``: it never touches the
database, never raises for a refused or failed delivery (that is an ``Outcome``), and
never logs what it carries.
"""
