"""Sign-in codes through the notifier: the members' ``OtpSender``, wired at the boot layer.

The message is recorded (channel ``sms``, recipient kind ``phone``) with the code masked,
in the transaction that issued the code; the code itself is texted only after that
transaction commits, from memory, so it is never stored, never retried and never
logged. A brand with an SMS provider texts through it; otherwise the sandbox keeps the
code (the demo's sign-in page shows it, when the demo asks for that, and tests read it).
"""

import httpx
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from newretail.config import Settings
from newretail.db import Database, utcnow
from newretail.notify import secrets, templates
from newretail.notify.channels import sms
from newretail.notify.channels.base import ChannelConfig, Outcome, Outgoing
from newretail.notify.models import NotifyChannel, NotifyMessage
from newretail.notify.rules import Channel, Status, mask_code
from newretail.org.models import Brand

CODE_MINUTES = 5


class NotifierOtpSender:
    """Texts sign-in codes through the brand's SMS channel, else the sandbox."""

    def __init__(
        self,
        *,
        database: Database,
        settings: Settings,
        sandbox: sms.SandboxTexts = sms.SANDBOX,
        shows_sandbox_codes: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.sandbox = sandbox
        self.shows_sandbox_codes = shows_sandbox_codes
        self.transport = transport

    def code_for(self, phone: str) -> str | None:
        """The sandbox's live code for ``phone``, only where the demo shows it on the page."""
        return self.sandbox.code_for(phone) if self.shows_sandbox_codes else None

    def forget(self, phone: str) -> None:
        """The sandbox drops ``phone``'s code once it has signed someone in."""
        self.sandbox.codes.forget(phone)

    def send(
        self, *, phone: str, code: str, session: Session | None = None, brand_id: int | None = None
    ) -> None:
        if session is None:
            self._text(None, phone, code, brand_id)
            return
        message_id = self._record(session, phone, code, brand_id)

        def after_commit(committed: Session) -> None:
            if event.contains(session, "after_rollback", after_rollback):
                event.remove(session, "after_rollback", after_rollback)
            self._text(message_id, phone, code, brand_id)

        def after_rollback(rolled_back: Session) -> None:
            # The code was never issued: a later commit of this session must not text it.
            if event.contains(session, "after_commit", after_commit):
                event.remove(session, "after_commit", after_commit)

        event.listen(session, "after_commit", after_commit, once=True)
        event.listen(session, "after_rollback", after_rollback, once=True)

    def _record(self, session: Session, phone: str, code: str, brand_id: int | None) -> int:
        locale = templates.ZH
        if brand_id is not None:
            brand = session.get(Brand, brand_id)
            locale = templates.ZH if brand is None or brand.country == "CN" else templates.EN
        text = templates.render(
            templates.SIGN_IN_CODE, {"code": code, "minutes": CODE_MINUTES}, locale
        )
        message = NotifyMessage(
            brand_id=brand_id,
            recipient_kind="phone",
            recipient_id=0,
            channel=Channel.SMS.value,
            address=phone,
            template=templates.SIGN_IN_CODE.key,
            purpose="service",
            locale=locale,
            subject=text.subject,
            body=mask_code(text.body, code),
            data={},
            status=Status.QUEUED.value,
            attempts=1,
            next_attempt_at=None,
            created_at=utcnow(),
        )
        session.add(message)
        session.flush()
        return message.id

    def _text(self, message_id: int | None, phone: str, code: str, brand_id: int | None) -> None:
        variables = {"code": code, "minutes": CODE_MINUTES}
        outgoing = Outgoing(
            message_id=message_id or 0,
            brand_id=brand_id or 0,
            channel=Channel.SMS.value,
            recipient_kind="phone",
            recipient_id=0,
            address=phone,
            template=templates.SIGN_IN_CODE.key,
            subject="",
            body=templates.render(templates.SIGN_IN_CODE, variables, templates.ZH).body,
            variables=variables,
        )
        config = self._provider(brand_id)
        if config is None:
            self.sandbox.codes.send(phone=phone, code=code)
            outcome = Outcome("delivered")
        else:
            with httpx.Client(
                timeout=self.settings.notify_timeout_seconds, transport=self.transport
            ) as client:
                outcome = sms.deliver_aliyun(client, outgoing, config)
        if message_id is not None:
            self._mark(message_id, outcome)

    def _provider(self, brand_id: int | None) -> ChannelConfig | None:
        if brand_id is None:
            return None
        with self.database.transaction(read_only=True) as session:
            row = session.scalar(
                select(NotifyChannel).where(
                    NotifyChannel.brand_id == brand_id,
                    NotifyChannel.channel == Channel.SMS.value,
                    NotifyChannel.active.is_(True),
                )
            )
            brand = session.get(Brand, brand_id)
            if row is None or brand is None or not row.secret_ref:
                return None
            try:
                secret = secrets.read_secret(
                    row.secret_ref, brand_code=brand.code, settings=self.settings
                )
            except secrets.SecretUnavailable:
                return ChannelConfig(dict(row.settings), None)
            return ChannelConfig(dict(row.settings), secret)

    def _mark(self, message_id: int, outcome: Outcome) -> None:
        now = utcnow()
        values: dict[str, object] = {"last_error": outcome.error}
        if outcome.status == Status.FAILED.value:
            values |= {"status": Status.FAILED.value, "failed_at": now}
        else:
            values |= {"status": outcome.status, "sent_at": now}
            if outcome.status == Status.DELIVERED.value:
                values["delivered_at"] = now
        with self.database.transaction() as session:
            session.execute(
                update(NotifyMessage).where(NotifyMessage.id == message_id).values(**values)
            )
