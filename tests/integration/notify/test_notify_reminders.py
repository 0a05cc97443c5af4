"""Timed reminders: a paid deposit hears once that its balance window has opened."""

from sqlalchemy import select
from tests import order_builders, presale_builders

from newretail.db import Database, utcnow
from newretail.kernel.scope import SYSTEM
from newretail.members import service as members_service
from newretail.members.schemas import Consents
from newretail.notify import notices
from newretail.notify.models import NotifyMessage
from newretail.presales import service as presales_service


def test_a_paid_deposit_hears_once_that_its_balance_window_opened(database: Database) -> None:
    shop = order_builders.shop(database)
    presale_id = presale_builders.presale(database, shop)
    deposit_id = presale_builders.paid_deposit(database, shop, presale_id)
    presale_builders.dispatch(database)
    with database.transaction() as session:
        deposit = presales_service.get_deposit(session=session, scope=SYSTEM, deposit_id=deposit_id)
        consumer_id = deposit.consumer_id
        assert consumer_id is not None
        members_service.ensure_membership(
            session=session,
            brand_id=shop.world.brand.id,
            consumer_id=consumer_id,
            channel=members_service.JoinChannel.CLOUD_STORE,
            store_id=shop.store_id,
            consents=Consents(),
        )
    for _ in range(2):
        with database.transaction() as session:
            notices.remind(session=session, now=utcnow())
    with database.transaction(read_only=True) as session:
        sent = session.execute(
            select(NotifyMessage.template, NotifyMessage.recipient_id, NotifyMessage.body)
        ).all()
    assert [(template, recipient) for template, recipient, _ in sent] == [
        ("presale.balance_open", consumer_id)
    ]
    assert "Double 11" in sent[0][2]
