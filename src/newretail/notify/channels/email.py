"""Email over SMTP.

Settings: ``host``, ``port`` (default 587), ``username``, ``sender`` (the From address),
``starttls`` (default true); secret: the SMTP password (none: no login). The address is
the recipient's email. A refused recipient is final; a lost connection is retried.
"""

import smtplib
import ssl
from email.message import EmailMessage

import httpx

from newretail.notify.channels.base import SENT, ChannelConfig, Outcome, Outgoing

TIMEOUT_SECONDS = 10.0


def message_of(outgoing: Outgoing, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = outgoing.address or ""
    message["Subject"] = outgoing.subject
    message["Message-ID"] = f"<notification-{outgoing.message_id}@newretail>"
    message.set_content(outgoing.body)
    return message


def deliver(client: httpx.Client, outgoing: Outgoing, config: ChannelConfig) -> Outcome:
    """Hand the message to the brand's SMTP server (``client`` is unused: SMTP is not HTTP)."""
    del client
    if not outgoing.address or "@" not in outgoing.address:
        return Outcome.failed("no email address for this person", retry=False)
    host = config.text("host")
    if not host:
        return Outcome.failed("the email channel needs a host", retry=False)
    port = int(config.settings.get("port", 587))
    try:
        with smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS) as smtp:
            if bool(config.settings.get("starttls", True)):
                smtp.starttls(context=ssl.create_default_context())
            if config.secret is not None and config.text("username"):
                smtp.login(config.text("username"), config.secret)
            smtp.send_message(message_of(outgoing, config.text("sender", "noreply@localhost")))
    except smtplib.SMTPRecipientsRefused as exc:
        return Outcome.failed(f"recipient refused: {sorted(exc.recipients)}", retry=False)
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome.failed(f"{type(exc).__name__}: {exc}")
    return SENT
