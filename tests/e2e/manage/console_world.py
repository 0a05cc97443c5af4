"""A brand with something on every console page: catalog, stock, orders, members, pre-sales."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from tests import (
    audience_builders,
    code_builders,
    member_builders,
    settlement_builders,
    shop_builders,
)
from tests.presale_builders import consumer_scope, today_in

from newretail.analytics.outreach import service as outreach_service
from newretail.analytics.outreach.schemas import AudienceSendCreate
from newretail.analytics.retarget import service as retarget_service
from newretail.analytics.retarget.schemas import RetargetRuleCreate
from newretail.auth import service as auth_service
from newretail.commission import service as commission_service
from newretail.commission import settlement
from newretail.commission.models import CommissionStatement
from newretail.commission.schemas import PlanCreate, RuleCreate
from newretail.db import Database, utcnow
from newretail.inventory import service as inventory_service
from newretail.inventory.schemas import ReceiptCreate
from newretail.kernel.scope import SYSTEM
from newretail.orders import service as orders_service
from newretail.orders.schemas import OrderCreate
from newretail.paylater import service as paylater_service
from newretail.paylater.schemas import DeferredCreate, PolicyUpdate
from newretail.payments import service as payments_service
from newretail.payments.schemas import PaymentCreate
from newretail.presales import service as presales_service
from newretail.presales.schemas import PresaleCreate
from newretail.promotions import service as promotions_service
from newretail.promotions.schemas import ClaimCreate, PromotionCreate, TemplateCreate
from newretail.workbench import service as workbench_service
from newretail.workbench.schemas import ContentCreate, TaskCreate


@dataclass
class ConsoleWorld:
    shop: shop_builders.Shop
    member_id: int
    paid_order_id: int
    credit_order_id: int
    presale_id: int
    code: str
    plan_id: int
    period_id: int
    statement_id: int
    promotion_id: int = 0
    template_id: int = 0
    coupon_id: int = 0
    task_id: int = 0
    content_id: int = 0
    audience_id: int = 0

    @property
    def ids(self) -> dict[str, str]:
        """A value for each path parameter of the console's pages."""
        world = self.shop.world
        return {
            "product_id": str(self.shop.product.id),
            "sku_id": str(self.shop.black.id),
            "order_id": str(self.paid_order_id),
            "member_id": str(self.member_id),
            "staff_id": str(world.east_guide.id),
            "region_id": str(world.east.id),
            "store_id": str(world.east_store.id),
            "code": self.code,
            "plan_id": str(self.plan_id),
            "period_id": str(self.period_id),
            "statement_id": str(self.statement_id),
            "promotion_id": str(self.promotion_id),
            "template_id": str(self.template_id),
            "coupon_id": str(self.coupon_id),
            "task_id": str(self.task_id),
            "content_id": str(self.content_id),
            "audience_id": str(self.audience_id),
        }


def _order(database: Database, shop: shop_builders.Shop, scope: object, channel: str) -> int:
    body = {
        "store_id": shop.world.east_store.id,
        "channel": channel,
        "lines": [{"sku_id": shop.black.id, "quantity": 1}],
        "delivery": {"method": "pickup"},
    }
    with database.transaction() as session:
        order = orders_service.create_order(
            session=session,
            scope=scope,  # type: ignore[arg-type]
            data=OrderCreate.model_validate(body),
        )
        return order.id


def console_world(database: Database) -> ConsoleWorld:
    shop = shop_builders.shop(database)
    world = shop.world
    receipt = ReceiptCreate.model_validate(
        {
            "kind": "receipt",
            "location_id": world.east_store.id,
            "reference_type": "purchase_order",
            "reference_id": "PO-2026-001",
            "lines": [{"sku_id": shop.black.id, "quantity": 20}],
        }
    )
    with database.transaction() as session:
        inventory_service.record_movements(session=session, scope=SYSTEM, data=receipt)
        policy = PolicyUpdate(brand_id=world.brand.id, threshold=0)
        paylater_service.set_policy(session=session, scope=SYSTEM, data=policy)
    cashier = orders_service.system_for(world.brand.id)
    paid = _order(database, shop, cashier, "pos")
    with database.transaction() as session:
        payments_service.pay(session=session, scope=cashier, order_id=paid, data=PaymentCreate())
    member_id = member_builders.member(database, world)
    buyer = consumer_scope(member_builders.consumer_of(database, member_id))
    on_credit = _order(database, shop, buyer, "cloud_store")
    with database.transaction() as session:
        data = DeferredCreate(order_id=on_credit, charge_instruction="decline")
        paylater_service.take_on_credit(session=session, scope=buyer, data=data)
    for day in (30.01, 30.1, 31, 33):
        with database.transaction() as session:
            paylater_service.charge_due(session=session, now=utcnow() + timedelta(days=day))
    start = today_in(world.brand.timezone)
    presale = PresaleCreate.model_validate(
        {
            "brand_id": world.brand.id,
            "name": "双十一预售",
            "deposit_starts_at": (utcnow() - timedelta(hours=1)).isoformat(),
            "deposit_ends_at": (utcnow() + timedelta(days=3)).isoformat(),
            "event_day": str(start + timedelta(days=4)),
            "store_ids": [world.east_store.id],
            "items": [{"sku_id": shop.black.id, "price": 69900, "deposit": 5000}],
        }
    )
    with database.transaction() as session:
        presale_id = presales_service.create_presale(session=session, scope=SYSTEM, data=presale).id
    code = code_builders.code(database, world.east_store.id)
    with database.transaction() as session:
        plan = commission_service.create_plan(
            session=session,
            scope=SYSTEM,
            data=PlanCreate(brand_id=world.brand.id, name="春季方案", is_active=True),
        )
        rule = RuleCreate.model_validate({"name": "基础提成", "kind": "cps", "rate_bp": 500})
        commission_service.add_rule(session=session, scope=SYSTEM, plan_id=plan.id, data=rule)
        plan_id = plan.id
    period_id, statement_id = _closed_period(database, world)
    promotion_id, template_id, coupon_id = _offers(database, world.brand.id, member_id)
    task_id, content_id = _workbench(database, world.brand.id, world.east_store.id)
    audience_id = _audience_sent_to(database, world.brand.id, member_id, template_id)
    return ConsoleWorld(
        shop,
        member_id,
        paid,
        on_credit,
        presale_id,
        code,
        plan_id,
        period_id,
        statement_id,
        promotion_id,
        template_id,
        coupon_id,
        task_id,
        content_id,
        audience_id,
    )


def _audience_sent_to(database: Database, brand_id: int, member_id: int, template_id: int) -> int:
    """An audience of the member, sent the brand's coupon once and offered it near stores."""
    audience_id = audience_builders.audience(database, brand_id, {member_id: True})
    data = AudienceSendCreate.model_validate({"key": "spring", "coupon_template_id": template_id})
    offer = RetargetRuleCreate.model_validate(
        {
            "name": "到店附近立减",
            "audience_id": audience_id,
            "offer_kind": "coupon",
            "coupon_template_id": template_id,
            "starts_at": utcnow().isoformat(),
        }
    )
    with database.transaction() as session:
        outreach_service.send_to_audience(
            session=session, scope=SYSTEM, audience_id=audience_id, data=data, now=utcnow()
        )
        retarget_service.create_rule(session=session, scope=SYSTEM, data=offer, now=utcnow())
    return audience_id


def _workbench(database: Database, brand_id: int, store_id: int) -> tuple[int, int]:
    """A task sent to the store's guides and an article to share."""
    task = TaskCreate.model_validate(
        {
            "brand_id": brand_id,
            "kind": "training",
            "title": "新品面料培训",
            "quiz": [{"question": "羊毛外套如何洗涤？", "options": ["机洗", "干洗"], "answer": 1}],
            "targets": {"stores": [store_id]},
            "due_at": (utcnow() + timedelta(days=2)).isoformat(),
        }
    )
    article = ContentCreate(
        brand_id=brand_id, kind="article", title="冬季叠穿指南", body="先薄后厚"
    )
    with database.transaction() as session:
        made = workbench_service.create_task(session=session, scope=SYSTEM, data=task, now=utcnow())
        item = workbench_service.publish(session=session, scope=SYSTEM, data=article, now=utcnow())
        return made.id, item.id


def _offers(database: Database, brand_id: int, member_id: int) -> tuple[int, int, int]:
    """A running promotion and a coupon template, one coupon of it in the member's wallet
    (made after the orders, whose amounts other tests read)."""
    start = (utcnow() - timedelta(days=1)).isoformat()
    promotion = PromotionCreate.model_validate(
        {
            "brand_id": brand_id,
            "name": "跑鞋满 599 减 100",
            "kind": "spend_save",
            "terms": {"tiers": [{"threshold": 59_900, "off": 10_000}]},
            "reach": {"channels": ["cloud_store", "pos"]},
            "starts_at": start,
        }
    )
    template = TemplateCreate.model_validate(
        {
            "brand_id": brand_id,
            "name": "满 300 减 30",
            "kind": "threshold",
            "terms": {"threshold": 30_000, "amount": 3_000},
            "starts_at": start,
            "valid_days": 30,
            "total_quantity": 1_000,
            "per_member_limit": 2,
        }
    )
    with database.transaction() as session:
        promotion_id = promotions_service.create_promotion(
            session=session, scope=SYSTEM, data=promotion
        ).id
        template_id = promotions_service.create_template(
            session=session, scope=SYSTEM, data=template
        ).id
        coupon_id = promotions_service.claim(
            session=session,
            scope=SYSTEM,
            data=ClaimCreate(template_id=template_id, member_id=member_id),
        ).id
    return promotion_id, template_id, coupon_id


def _closed_period(database: Database, world: object) -> tuple[int, int]:
    """A weekly settlement period of the brand, closed into one guide's statement."""
    brand_id = world.brand.id  # type: ignore[attr-defined]
    closed_at = settlement_builders.EARNED + timedelta(days=7)
    settlement_builders.schedule(
        database, brand_id, starts_on=date(2026, 11, 1), every_days=7, now=closed_at
    )
    guide_id = world.east_guide.id  # type: ignore[attr-defined]
    settlement_builders.entry(database, brand_id, guide_id=guide_id, amount=1234)
    with database.transaction() as session:
        period = settlement.list_periods(
            session=session, scope=SYSTEM, brand_id=brand_id, cursor=None, limit=200
        )[0][-1]
        admin = auth_service.scope_for_staff(
            session=session,
            staff=session.merge(world.admin),  # type: ignore[attr-defined]
        )
        settlement.close_period(session=session, scope=admin, period_id=period.id, now=closed_at)
        statement = session.scalars(
            select(CommissionStatement).where(CommissionStatement.period_id == period.id)
        ).one()
        return period.id, statement.id
