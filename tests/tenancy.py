"""The cross-tenant route walk: every API route, called by another brand, must leak nothing.

``VICTIM_PARAMS`` says how to get a victim resource for each path parameter name, and
``ATTACK_BODIES`` gives a valid body for write routes (pointing at the victim's resources
where the body can reference them). A new route with an unknown path parameter, or a write
route whose body fails validation, is reported, so new routes are covered automatically.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from newretail.auth import service as auth_service
from newretail.auth.schemas import ApiKeyCreate
from newretail.catalog import service as catalog_service
from newretail.catalog.schemas import OfferCreate
from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from tests import builders
from tests.builders import BrandWorld


@dataclass
class Victim:
    world: BrandWorld
    database: Database
    _catalog: dict[str, int] = field(default_factory=dict)

    def catalog(self) -> dict[str, int]:
        """A category, product, SKU and brand-level offer of the victim (made once)."""
        if not self._catalog:
            brand_id = self.world.brand.id
            with self.database.transaction() as session:
                category = builders.category(session, brand_id)
                product = builders.product(session, brand_id, category.id)
                sku = builders.sku(session, brand_id, product.id)
                offer = catalog_service.create_offer(
                    session=session, scope=SYSTEM, data=OfferCreate(sku_id=sku.id, price=100)
                )
                ids = {"category_id": category.id, "product_id": product.id, "sku_id": sku.id}
                self._catalog.update(ids, offer_id=offer.id)
        return self._catalog

    def api_key_id(self) -> int:
        with self.database.transaction() as session:
            key, _ = auth_service.create_api_key(
                session=session,
                scope=SYSTEM,
                data=ApiKeyCreate(brand_id=self.world.brand.id, name="victim key"),
            )
            return key.id


def victim_activity_id(v: Victim) -> int:
    from datetime import timedelta

    from newretail.cloudstore import service as cloudstore_service
    from newretail.cloudstore.schemas import ActivityCreate
    from newretail.db import utcnow

    now = utcnow()
    data = ActivityCreate(
        store_id=v.world.east_store.id, title="x", starts_at=now, ends_at=now + timedelta(days=1)
    )
    with v.database.transaction() as session:
        return cloudstore_service.create_activity(session=session, scope=SYSTEM, data=data).id


def victim_reservation_id(v: Victim) -> int:
    """A fresh active reservation of the victim's (each call reserves under a new reference)."""
    import uuid

    from newretail.inventory import service as inventory_service
    from newretail.inventory.rules import Line, Purpose
    from newretail.inventory.schemas import ReceiptCreate

    store_id, sku_id = v.world.east_store.id, v.catalog()["sku_id"]
    receipt = ReceiptCreate.model_validate(
        {"kind": "receipt", "location_id": store_id, "lines": [{"sku_id": sku_id, "quantity": 10}]}
    )
    with v.database.transaction() as session:
        inventory_service.record_movements(session=session, scope=SYSTEM, data=receipt)
        reservation, _ = inventory_service.reserve(
            session=session,
            scope=SYSTEM,
            purpose=Purpose.CART,
            reference_id=f"victim-{uuid.uuid4().hex}",
            lines=[Line(store_id, sku_id, 1)],
        )
        return reservation.id


def victim_member_id(v: Victim) -> int:
    """A member of the victim's, recruited by the east guide at the east store."""
    from tests import member_builders

    return member_builders.member(v.database, v.world)


def victim_conversation_id(v: Victim) -> int:
    """A conversation of the victim's east guide with a member who agreed to marketing."""
    from newretail.db import utcnow
    from newretail.members import service as members_service
    from newretail.members.schemas import Consents
    from newretail.notify import service as notify_service

    member_id = victim_member_id(v)
    guide = auth_service.scope_for_staff
    with v.database.transaction() as session:
        members_service.update_consents(
            session=session, scope=SYSTEM, member_id=member_id, consents=Consents(marketing=True)
        )
        staff = auth_service.get_staff(
            session=session, scope=SYSTEM, staff_id=v.world.east_guide.id
        )
        [written] = notify_service.guide_writes(
            session=session,
            scope=guide(session=session, staff=staff),
            member_ids=[member_id],
            text="Hello from the victim's guide",
            card=None,
            now=utcnow(),
        )
        return written.conversation_id


def victim_message_id(v: Victim) -> int:
    """An in-app notice to the victim's east guide."""
    from newretail.db import utcnow
    from newretail.notify import service as notify_service

    with v.database.transaction() as session:
        [sent] = notify_service.send(
            session=session,
            brand_id=v.world.brand.id,
            recipients=[notify_service.Recipient("staff", v.world.east_guide.id)],
            template="notice.text",
            variables={"title": "Victim", "text": "A notice of the victim's"},
            purpose="service",
            channels=["inapp"],
            now=utcnow(),
        )
        return sent.id


def victim_merge_id(v: Victim) -> int:
    """A merge of two consumer records (a device seen before sign-in), made by the victim's."""
    import uuid

    from newretail.members import service as members_service

    device = uuid.uuid4().hex
    kind = members_service.IdentifierKind.DEVICE
    with v.database.transaction() as session:
        members_service.identify(session=session, identifiers=[(kind, device)])
    with v.database.transaction() as session:
        consumer_id, _ = members_service.sign_in(
            session=session, phone="+86" + member_builders_phone(), extra=[(kind, device)]
        )
        merges, _ = members_service.list_merges(
            session=session, scope=SYSTEM, consumer_id=consumer_id, cursor=None, limit=1
        )
        return merges[0].id


def member_builders_phone() -> str:
    from tests import member_builders

    return member_builders.phone()


def victim_webhook_id(v: Victim) -> int:
    from newretail.integrations import service as webhook_service
    from newretail.integrations.schemas import WebhookCreate

    data = WebhookCreate(brand_id=v.world.brand.id, url="https://victim.example.com/hook")
    with v.database.transaction() as session:
        return webhook_service.create_endpoint(session=session, scope=SYSTEM, data=data).id


def victim_webhook_delivery_id(v: Victim) -> int:
    """A delivery queued for a fresh webhook of the victim's."""
    from sqlalchemy import select

    from newretail.integrations import service as webhook_service
    from newretail.integrations.models import WebhookDelivery
    from newretail.outbox import service as outbox_service

    webhook_id = victim_webhook_id(v)
    with v.database.transaction() as session:
        event = outbox_service.record(
            session=session,
            brand_id=v.world.brand.id,
            type="store.updated",
            resource_type="store",
            resource_id=v.world.east_store.id,
            payload={},
        )
        webhook_service.enqueue_deliveries(session=session, events=[event])
        delivery_id = session.scalar(
            select(WebhookDelivery.id).where(
                WebhookDelivery.endpoint_id == webhook_id,
                WebhookDelivery.event_id == event.event_id,
            )
        )
        assert delivery_id is not None
        return delivery_id


def victim_code(v: Victim) -> str:
    """A shelf code of the victim's east store."""
    from tests import code_builders

    return code_builders.code(v.database, v.world.east_store.id)


def victim_order_id(v: Victim) -> int:
    """A paid, allocated pickup order of the victim's, of a SKU of its own (fresh stock)."""
    from newretail.inventory import service as inventory_service
    from newretail.inventory.schemas import ReceiptCreate
    from newretail.orders import service as orders_service
    from newretail.orders.schemas import OrderCreate
    from newretail.payments import service as payments_service
    from newretail.payments.schemas import PaymentCreate

    brand_id, store_id = v.world.brand.id, v.world.east_store.id
    scope = orders_service.system_for(brand_id)
    with v.database.transaction() as session:
        sku_id = builders.sku(session, brand_id, v.catalog()["product_id"]).id
        catalog_service.create_offer(
            session=session, scope=SYSTEM, data=OfferCreate(sku_id=sku_id, price=100)
        )
        receipt = {
            "kind": "receipt",
            "location_id": store_id,
            "lines": [{"sku_id": sku_id, "quantity": 1}],
        }
        inventory_service.record_movements(
            session=session, scope=SYSTEM, data=ReceiptCreate.model_validate(receipt)
        )
        data = OrderCreate.model_validate(
            {
                "store_id": store_id,
                "channel": "pos",
                "lines": [{"sku_id": sku_id, "quantity": 1}],
                "delivery": {"method": "pickup"},
            }
        )
        order = orders_service.create_order(session=session, scope=scope, data=data)
        payments_service.pay(session=session, scope=scope, order_id=order.id, data=PaymentCreate())
        return order.id


def victim_cart_id(v: Victim) -> int:
    from newretail.orders import service as orders_service
    from newretail.orders.schemas import CartCreate

    data = CartCreate.model_validate(
        {
            "store_id": v.world.east_store.id,
            "channel": "pos",
            "lines": [{"sku_id": v.catalog()["sku_id"], "quantity": 1}],
        }
    )
    scope = orders_service.system_for(v.world.brand.id)
    with v.database.transaction() as session:
        return orders_service.create_cart(session=session, scope=scope, data=data).id


def victim_fulfilment_id(v: Victim) -> int:
    from newretail.orders import service as orders_service

    order_id = victim_order_id(v)
    scope = orders_service.system_for(v.world.brand.id)
    with v.database.transaction() as session:
        found = orders_service.list_fulfilments(session=session, scope=scope, order_id=order_id)
        return found[0].id


def victim_return_id(v: Victim) -> int:
    """A requested return of one unit of a victim's order that was handed over."""
    from newretail.orders import service as orders_service
    from newretail.returns import service as returns
    from newretail.returns.schemas import ReturnCreate
    from tests import order_builders

    order_id = victim_order_id(v)
    line_id = order_builders.hand_over(v.database, v.world.brand.id, order_id)
    scope = orders_service.system_for(v.world.brand.id)
    with v.database.transaction() as session:
        data = ReturnCreate.model_validate(
            {
                "order_id": order_id,
                "receiving_location_id": v.world.west_store.id,
                "lines": [{"order_line_id": line_id, "quantity": 1}],
            }
        )
        return returns.create_return(session=session, scope=scope, data=data).id


def victim_presale_id(v: Victim) -> int:
    """A running pre-sale of the victim's over its SKU at its east store (10 units there)."""
    from newretail.presales import service as presales_service
    from newretail.presales.schemas import PresaleCreate
    from tests import order_builders

    order_builders.receive(v.database, v.world.east_store.id, v.catalog()["sku_id"], 10)
    data = PresaleCreate.model_validate(
        {
            **_presale_body(v),
            "brand_id": v.world.brand.id,
        }
    )
    with v.database.transaction() as session:
        return presales_service.create_presale(session=session, scope=SYSTEM, data=data).id


def _presale_body(v: Victim) -> dict[str, Any]:
    from datetime import timedelta

    from newretail.db import utcnow

    now = utcnow()
    return {
        "name": "victim pre-sale",
        "deposit_starts_at": (now - timedelta(hours=1)).isoformat(),
        "deposit_ends_at": (now + timedelta(days=1)).isoformat(),
        "event_day": str((now + timedelta(days=2)).date()),
        "store_ids": [v.world.east_store.id],
        "items": [{"sku_id": v.catalog()["sku_id"], "price": 1000, "deposit": 100}],
    }


def victim_deposit_id(v: Victim) -> int:
    """A paid deposit of the victim's pre-sale, taken at its store's till."""
    from newretail.orders import service as orders_service
    from newretail.payments import service as payments_service
    from newretail.payments.schemas import PaymentCreate
    from newretail.presales import service as presales_service
    from newretail.presales.schemas import DepositCreate

    presale_id = victim_presale_id(v)
    scope = orders_service.system_for(v.world.brand.id)
    data = DepositCreate(store_id=v.world.east_store.id, sku_id=v.catalog()["sku_id"])
    with v.database.transaction() as session:
        deposit, order = presales_service.place_deposit(
            session=session, scope=scope, presale_id=presale_id, data=data
        )
        payments_service.pay(session=session, scope=scope, order_id=order.id, data=PaymentCreate())
        return deposit.id


def victim_charge_id(v: Victim) -> int:
    """A deferred charge of the victim's: a member's order taken on credit at its till."""
    from newretail.orders import service as orders_service
    from newretail.orders.schemas import OrderCreate
    from newretail.paylater import service as paylater_service
    from newretail.paylater.schemas import DeferredCreate, PolicyUpdate

    scope = orders_service.system_for(v.world.brand.id)
    member_id = victim_member_id(v)
    order_builders_receive(v)
    body = {
        "store_id": v.world.east_store.id,
        "channel": "pos",
        "member_id": member_id,
        "lines": [{"sku_id": v.catalog()["sku_id"], "quantity": 1}],
        "delivery": {"method": "pickup"},
    }
    with v.database.transaction() as session:
        paylater_service.set_policy(session=session, scope=scope, data=PolicyUpdate(threshold=0))
        order = orders_service.create_order(
            session=session, scope=scope, data=OrderCreate.model_validate(body)
        )
        charge, _ = paylater_service.take_on_credit(
            session=session, scope=scope, data=DeferredCreate(order_id=order.id)
        )
        return charge.id


def victim_promotion_id(v: Victim) -> int:
    with v.database.transaction() as session:
        return _promotion(session, v)


def _promotion(session: Any, v: Victim) -> int:
    from datetime import timedelta

    from newretail.db import utcnow
    from newretail.promotions import service as promotions_service
    from newretail.promotions.schemas import PromotionCreate

    data = PromotionCreate.model_validate(
        {
            "brand_id": v.world.brand.id,
            "name": "victim promotion",
            "kind": "spend_save",
            "terms": {"tiers": [{"threshold": 100, "off": 10}]},
            "starts_at": (utcnow() - timedelta(days=1)).isoformat(),
        }
    )
    return promotions_service.create_promotion(session=session, scope=SYSTEM, data=data).id


def victim_merchant_account_id(v: Victim) -> int:
    from newretail.payments.merchants import service as merchants_service
    from newretail.payments.merchants.schemas import MerchantAccountCreate

    data = MerchantAccountCreate.model_validate(_merchant_account_body(v))
    with v.database.transaction() as session:
        return merchants_service.create_account(session=session, scope=SYSTEM, data=data).id


def _merchant_account_body(v: Victim) -> dict[str, Any]:
    import uuid

    return {
        "brand_id": v.world.brand.id,
        "code": f"acct-{uuid.uuid4().hex[:8]}",
        "name": "Victim account",
        "provider": "sandbox",
        "owner_type": "franchisee",
        "owner_name": "Victim Franchise Co.",
    }


def victim_coupon_id(v: Victim) -> int:
    """A coupon of the victim's template in the wallet of one of its members."""
    from tests import promotion_builders

    return promotion_builders.claim(v.database, victim_member_id(v), victim_template_id(v))


def victim_template_id(v: Victim) -> int:
    from newretail.promotions import service as promotions_service
    from newretail.promotions.schemas import TemplateCreate

    data = TemplateCreate.model_validate(_template_body(v))
    with v.database.transaction() as session:
        return promotions_service.create_template(session=session, scope=SYSTEM, data=data).id


def _template_body(v: Victim) -> dict[str, Any]:
    from datetime import timedelta

    from newretail.db import utcnow

    return {
        "brand_id": v.world.brand.id,
        "name": "victim coupon",
        "kind": "fixed",
        "terms": {"amount": 100},
        "starts_at": (utcnow() - timedelta(days=1)).isoformat(),
        "valid_days": 30,
    }


def victim_package_id(v: Victim) -> int:
    """A draft coupon package of one of the victim's templates (drafts are the platform's)."""
    from tests import promotion_builders

    return promotion_builders.package(v.database, [victim_template_id(v)])


def victim_address_id(v: Victim) -> int:
    """An address in the address book of one of the victim's members, with the victim brand."""
    from newretail.kernel.scope import Scope
    from newretail.members import service as members_service
    from newretail.members.schemas import AddressFields
    from tests import member_builders

    consumer_id = member_builders.consumer_of(v.database, victim_member_id(v))
    owner = Scope(actor_type="consumer", actor_id=consumer_id, roles=frozenset())
    data = AddressFields(
        recipient="Victim",
        phone="13912340000",
        region="Shanghai",
        city="Shanghai",
        district="Huangpu",
        line="1 Victim Road",
    )
    with v.database.transaction() as session:
        return members_service.add_address(
            session=session, scope=owner, brand_id=v.world.brand.id, data=data
        ).id


def order_builders_receive(v: Victim) -> None:
    from tests import order_builders

    order_builders.receive(v.database, v.world.east_store.id, v.catalog()["sku_id"], 20)


def victim_plan_id(v: Victim) -> int:
    return victim_rule(v)[0]


def _analytics_admin(v: Victim) -> Any:
    from newretail.kernel.scope import Role, Scope

    return Scope(
        actor_type="staff",
        actor_id=v.world.admin.id,
        roles=frozenset({Role.BRAND_ADMIN}),
        brand_id=v.world.brand.id,
    )


def victim_report_id(v: Victim) -> int:
    """The victim's saved seed funnel (made once)."""
    from newretail.analytics.reports import service as reports_service

    catalog = v.catalog()
    if "report" not in catalog:
        with v.database.transaction() as session:
            rows = reports_service.install_standard(
                session=session, scope=_analytics_admin(v), brand_id=None
            )
            catalog["report"] = rows[0].id
    return catalog["report"]


def victim_audience_id(v: Victim) -> int:
    """An audience of the victim's brand (made once)."""
    from newretail.analytics.audiences import service as audiences_service
    from newretail.analytics.audiences.rules import AudienceRule

    catalog = v.catalog()
    if "audience" not in catalog:
        rule = AudienceRule.model_validate(
            {"rule": {"kind": "profile", "field": "member", "value": True}}
        )
        with v.database.transaction() as session:
            row = audiences_service.create_audience(
                session=session, scope=_analytics_admin(v), brand_id=None, name="v", rule=rule
            )
            catalog["audience"] = row.id
    return catalog["audience"]


def victim_audience_send_id(v: Victim) -> int:
    """A send to the victim's audience (made once; the audience has no members)."""
    from newretail.analytics.outreach import service as outreach_service
    from newretail.analytics.outreach.schemas import AudienceSendCreate
    from newretail.db import utcnow

    catalog = v.catalog()
    if "audience_send" not in catalog:
        data = AudienceSendCreate.model_validate({"key": "v", "message": {}})
        with v.database.transaction() as session:
            row = outreach_service.send_to_audience(
                session=session,
                scope=_analytics_admin(v),
                audience_id=victim_audience_id(v),
                data=data,
                now=utcnow(),
            )
            catalog["audience_send"] = row.id
    return catalog["audience_send"]


def victim_retarget_rule_id(v: Victim) -> int:
    """A re-targeting rule of the victim's brand (made once)."""
    from newretail.analytics.retarget import service as retarget_service
    from newretail.analytics.retarget.schemas import RetargetRuleCreate
    from newretail.db import utcnow

    catalog = v.catalog()
    if "retarget_rule" not in catalog:
        data = RetargetRuleCreate(
            name="v",
            audience_id=victim_audience_id(v),
            offer_kind="message",
            starts_at=utcnow(),
        )
        with v.database.transaction() as session:
            row = retarget_service.create_rule(
                session=session, scope=_analytics_admin(v), data=data, now=utcnow()
            )
            catalog["retarget_rule"] = row.id
    return catalog["retarget_rule"]


def victim_rule_id(v: Victim) -> int:
    return victim_rule(v)[1]


def victim_rule(v: Victim) -> tuple[int, int]:
    """A commission plan of the victim's brand with one rule: (plan id, rule id)."""
    from newretail.commission import service as commission_service
    from newretail.commission.schemas import PlanCreate, RuleCreate

    catalog = v.catalog()
    if "commission_plan" not in catalog:
        with v.database.transaction() as session:
            plan = commission_service.create_plan(
                session=session,
                scope=SYSTEM,
                data=PlanCreate(brand_id=v.world.brand.id, name="Victim plan"),
            )
            rule = commission_service.add_rule(
                session=session,
                scope=SYSTEM,
                plan_id=plan.id,
                data=RuleCreate.model_validate(
                    {"name": "Victim rule", "kind": "cps", "rate_bp": 1}
                ),
            )
            catalog["commission_plan"], catalog["commission_rule"] = plan.id, rule.id
    return catalog["commission_plan"], catalog["commission_rule"]


def victim_period_id(v: Victim) -> int:
    """The victim's first weekly settlement period, closed with a statement (made once)."""
    return victim_settlement(v)[0]


def victim_statement_id(v: Victim) -> int:
    return victim_settlement(v)[1]


def victim_settlement(v: Victim) -> tuple[int, int]:
    from datetime import date, timedelta

    from newretail.auth import service as auth_service
    from newretail.commission import settlement
    from newretail.commission.models import CommissionStatement
    from tests import settlement_builders as commission_builders

    found: tuple[int, int] | None = getattr(v, "_settlement", None)
    if found is None:
        brand_id = v.world.brand.id
        commission_builders.schedule(
            v.database,
            brand_id,
            starts_on=date(2026, 11, 1),
            every_days=7,
            now=commission_builders.EARNED + timedelta(days=7),
        )
        commission_builders.entry(v.database, brand_id, guide_id=v.world.east_guide.id, amount=1)
        with v.database.transaction() as session:
            period = settlement.list_periods(
                session=session, scope=SYSTEM, brand_id=brand_id, cursor=None, limit=200
            )[0][-1]
            admin = auth_service.scope_for_staff(
                session=session, staff=session.merge(v.world.admin)
            )
            settlement.close_period(
                session=session,
                scope=admin,
                period_id=period.id,
                now=commission_builders.EARNED + timedelta(days=7),
            )
            statement = session.scalars(select_statement(CommissionStatement, period.id)).one()
            found = (period.id, statement.id)
            setattr(v, "_settlement", found)  # noqa: B010
    return found


def select_statement(model: Any, period_id: int) -> Any:
    from sqlalchemy import select

    return select(model).where(model.period_id == period_id)


def victim_till(v: Victim) -> dict[str, int | str]:
    """The victim's register, open shift, a sale and a conflict (made once)."""
    found: dict[str, int | str] | None = getattr(v, "_till", None)
    if found is None:
        from tests import pos_builders

        found = pos_builders.victim_till(v.database, v.world, v.catalog()["sku_id"])
        setattr(v, "_till", found)  # noqa: B010
    return found


def _sale_body(v: Victim, shift_id: int | str) -> dict[str, Any]:
    return {
        "client_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "shift_id": shift_id,
        "lines": [{"sku_id": v.catalog()["sku_id"], "quantity": 1}],
        "tenders": [{"method": "cash", "amount": 100}],
    }


def victim_task_id(v: Victim) -> int:
    """A task sent to the victim's east store."""
    from datetime import timedelta

    from newretail.db import utcnow
    from newretail.workbench import service as workbench_service
    from newretail.workbench.schemas import TaskCreate

    data = TaskCreate.model_validate(
        {
            "brand_id": v.world.brand.id,
            "kind": "promotion",
            "title": "Victim task",
            "targets": {"stores": [v.world.east_store.id]},
            "due_at": (utcnow() + timedelta(days=1)).isoformat(),
        }
    )
    with v.database.transaction() as session:
        return workbench_service.create_task(
            session=session, scope=SYSTEM, data=data, now=utcnow()
        ).id


def victim_target_id(v: Victim) -> int:
    from newretail.db import utcnow
    from newretail.workbench import service as workbench_service
    from newretail.workbench.schemas import TargetPut

    data = TargetPut.model_validate(
        {
            "brand_id": v.world.brand.id,
            "store_id": v.world.east_store.id,
            "metric": "sales",
            "period": "month",
            "starts_on": utcnow().date().isoformat(),
            "goal": 100,
        }
    )
    with v.database.transaction() as session:
        return workbench_service.put_target(
            session=session, scope=SYSTEM, data=data, now=utcnow()
        ).id


def victim_content_id(v: Victim) -> int:
    from newretail.db import utcnow
    from newretail.workbench import service as workbench_service
    from newretail.workbench.schemas import ContentCreate

    data = ContentCreate(brand_id=v.world.brand.id, kind="article", title="Victim article")
    with v.database.transaction() as session:
        return workbench_service.publish(session=session, scope=SYSTEM, data=data, now=utcnow()).id


def victim_ding_id(v: Victim) -> int:
    """A DING from the victim's store manager to its guide."""
    from newretail.db import utcnow
    from newretail.kernel.scope import Role, Scope
    from newretail.workbench import service as workbench_service
    from newretail.workbench.schemas import DingCreate

    sender = Scope(
        actor_type="staff",
        actor_id=v.world.east_store_manager.id,
        roles=frozenset({Role.STORE_MANAGER}),
        brand_id=v.world.brand.id,
        store_ids=frozenset({v.world.east_store.id}),
    )
    data = DingCreate(body="Victim DING", recipients=[v.world.east_guide.id])
    with v.database.transaction() as session:
        return workbench_service.send(session=session, scope=sender, data=data, now=utcnow()).id


VICTIM_PARAMS: dict[str, Callable[[Victim], int | str]] = {
    "register_id": lambda v: victim_till(v)["register_id"],
    "shift_id": lambda v: victim_till(v)["shift_id"],
    "sale_id": lambda v: victim_till(v)["sale_id"],
    "conflict_id": lambda v: victim_till(v)["conflict_id"],
    "client_id": lambda v: victim_till(v)["client_id"],
    "address_id": victim_address_id,
    "plan_id": victim_plan_id,
    "rule_id": victim_rule_id,
    "period_id": victim_period_id,
    "statement_id": victim_statement_id,
    "return_id": victim_return_id,
    "charge_id": victim_charge_id,
    "presale_id": victim_presale_id,
    "deposit_id": victim_deposit_id,
    "order_id": victim_order_id,
    "cart_id": victim_cart_id,
    "fulfilment_id": victim_fulfilment_id,
    "activity_id": victim_activity_id,
    "brand_id": lambda v: v.world.brand.id,
    "region_id": lambda v: v.world.east.id,
    "store_id": lambda v: v.world.east_store.id,
    "staff_id": lambda v: v.world.east_guide.id,
    "api_key_id": Victim.api_key_id,
    "reservation_id": victim_reservation_id,
    "category_id": lambda v: v.catalog()["category_id"],
    "product_id": lambda v: v.catalog()["product_id"],
    "sku_id": lambda v: v.catalog()["sku_id"],
    "offer_id": lambda v: v.catalog()["offer_id"],
    "webhook_id": victim_webhook_id,
    "delivery_id": victim_webhook_delivery_id,
    "member_id": victim_member_id,
    "guide_id": lambda v: v.world.east_guide.id,
    "merge_id": victim_merge_id,
    "code": victim_code,
    "promotion_id": victim_promotion_id,
    "template_id": victim_template_id,
    "coupon_id": victim_coupon_id,
    "merchant_account_id": victim_merchant_account_id,
    "package_id": victim_package_id,
    "report_id": victim_report_id,
    "audience_id": victim_audience_id,
    "send_id": victim_audience_send_id,
    "retarget_rule_id": victim_retarget_rule_id,
    "task_id": victim_task_id,
    "target_id": victim_target_id,
    "content_id": victim_content_id,
    "ding_id": victim_ding_id,
    "conversation_id": victim_conversation_id,
    "message_id": victim_message_id,
}

# Path parameters of resources that the platform shares between brands: reading is allowed.
SHARED_PARAMS = {"district_id", "key"}  # key: a standard report's name, every brand's

PUBLIC_ROUTES = {
    ("POST", "/api/v1/auth/token"),
    ("GET", "/api/v1/auth/me"),
    ("GET", "/api/v1/cloudstores/{store_code}/home"),  # consumer-facing, by public code
    ("GET", "/api/v1/stores/nearby"),  # consumer-facing, every brand's stores
    ("POST", "/api/v1/consumers/otp"),  # consumer sign-in: a code to any phone
    ("POST", "/api/v1/consumers/token"),  # consumer sign-in: phone and code
    ("POST", "/api/v1/codes/{code}/scan"),  # consumer-facing, by public touchpoint code
    ("POST", "/api/v1/codes/{code}/join"),  # consumer-facing, by public touchpoint code
    ("POST", "/api/v1/payments/notify/{provider}"),  # providers sign it; tests/e2e/test_orders_api
    # providers sign it with the account's keys; tests/integration/payments
    ("POST", "/api/v1/payments/notify/{provider}/{merchant_account_id}"),
    # a guide's content link counts its views and claims; the signed ref says whose
    ("POST", "/api/v1/content/{content_id}/{kind}"),
}

Body = Callable[[Victim], dict[str, Any] | None]


def _address_body() -> dict[str, Any]:
    return {
        "recipient": "Evil",
        "phone": "13912349999",
        "region": "Shanghai",
        "city": "Shanghai",
        "district": "Jing'an",
        "line": "2 Evil Road",
    }


ATTACK_BODIES: dict[tuple[str, str], Body] = {
    ("POST", "/api/v1/analytics/funnels"): lambda v: {
        "name": "x",
        "brand_id": v.world.brand.id,
        "spec": {"steps": [{"label": "a"}, {"label": "b"}]},
    },
    ("POST", "/api/v1/analytics/funnels/standard"): lambda v: {"brand_id": v.world.brand.id},
    ("POST", "/api/v1/analytics/funnels/query"): lambda v: {
        "brand_id": v.world.brand.id,
        "spec": {"steps": [{"label": "a"}, {"label": "b"}]},
    },
    ("POST", "/api/v1/analytics/audiences"): lambda v: {
        "name": "x",
        "brand_id": v.world.brand.id,
        "rule": {"kind": "profile", "field": "member", "value": True},
    },
    ("POST", "/api/v1/analytics/audiences/{audience_id}/sends"): lambda v: {
        "key": "attack",
        "coupon_template_id": victim_template_id(v),
        "message": {},
    },
    ("POST", "/api/v1/analytics/retarget-rules"): lambda v: {
        "name": "x",
        "audience_id": victim_audience_id(v),
        "offer_kind": "message",
        "starts_at": "2026-11-01T00:00:00Z",
    },
    ("POST", "/api/v1/events/batch"): lambda v: {
        "batch": [
            {
                "messageId": "attack-1",
                "event": "Store Entered",
                "anonymousId": "attacker",
                "channel": "store_sensor",
                "context": {"store": v.world.east_store.id},
            }
        ]
    },
    ("POST", "/api/v1/tasks"): lambda v: {
        "kind": "promotion",
        "title": "evil",
        "targets": {"stores": [v.world.east_store.id], "guides": [v.world.east_guide.id]},
        "due_at": "2100-01-01T00:00:00+00:00",
    },
    ("PUT", "/api/v1/targets"): lambda v: {
        "store_id": v.world.east_store.id,
        "metric": "sales",
        "period": "day",
        "starts_on": "2100-01-01",
        "goal": 1,
    },
    ("POST", "/api/v1/content"): lambda v: {
        "kind": "product",
        "title": "evil",
        "product_id": v.catalog()["product_id"],
    },
    ("POST", "/api/v1/dings"): lambda v: {"body": "evil", "recipients": [v.world.east_guide.id]},
    ("POST", "/api/v1/dings/up"): lambda v: {"body": "evil", "member_id": victim_member_id(v)},
    ("POST", "/api/v1/notifications"): lambda v: {
        "brand_id": v.world.brand.id,
        "recipients": [{"kind": "staff", "id": v.world.east_guide.id}],
        "template": "notice.text",
        "variables": {"title": "Evil", "text": "Evil"},
        "purpose": "service",
    },
    ("POST", "/api/v1/notifications/read"): lambda v: {"brand_id": v.world.brand.id},
    ("PUT", "/api/v1/notifications/policy"): lambda v: {
        "brand_id": v.world.brand.id,
        "max_per_hour": 1,
    },
    ("PUT", "/api/v1/notifications/channels"): lambda v: {
        "brand_id": v.world.brand.id,
        "channel": "webhook",
        "settings": {"url": "https://evil.example/hook"},
        "secret_ref": "setting:evil",
    },
    ("POST", "/api/v1/conversations/messages"): lambda v: {
        "member_ids": [victim_member_id(v)],
        "text": "Evil",
    },
    ("POST", "/api/v1/payments/merchant-accounts"): lambda v: _merchant_account_body(v),
    ("POST", "/api/v1/orders/{order_id}/pay/code"): lambda v: {
        "provider": "sandbox",
        "auth_code": "134567890123456789",
    },
    ("POST", "/api/v1/orders/{order_id}/pay/prepay"): lambda v: {
        "provider": "sandbox",
        "scene": "h5",
    },
    ("POST", "/api/v1/pos/registers"): lambda v: {"store_id": v.world.east_store.id, "code": "X"},
    ("POST", "/api/v1/pos/shifts"): lambda v: {
        "register_id": victim_till(v)["register_id"],
        "opening_float": 0,
    },
    ("POST", "/api/v1/pos/shifts/{shift_id}/reopen"): lambda v: {"reason": "evil"},
    ("POST", "/api/v1/pos/members"): lambda v: {
        "store_id": v.world.east_store.id,
        "phone": "13812340000",
    },
    ("POST", "/api/v1/pos/members/{member_id}/store-credit"): lambda v: {
        "amount": 100,
        "reason": "evil",
    },
    ("POST", "/api/v1/pos/quote"): lambda v: {
        "store_id": v.world.east_store.id,
        "lines": [{"sku_id": v.catalog()["sku_id"], "quantity": 1}],
    },
    ("POST", "/api/v1/pos/orders"): lambda v: _sale_body(v, victim_till(v)["shift_id"]),
    ("POST", "/api/v1/pos/sync"): lambda v: {
        "register_id": victim_till(v)["register_id"],
        "sales": [_sale_body(v, victim_till(v)["shift_id"])],
    },
    ("POST", "/api/v1/pos/conflicts/{conflict_id}/settle"): lambda v: {"resolution": "void"},
    ("POST", "/api/v1/pos/pickups/handover"): lambda v: {
        "shift_id": victim_till(v)["shift_id"],
        "pickup_code": "123456",
    },
    ("POST", "/api/v1/pos/returns"): lambda v: {
        "shift_id": victim_till(v)["shift_id"],
        "order_id": victim_order_id(v),
        "lines": [{"order_line_id": 1, "quantity": 1}],
    },
    ("POST", "/api/v1/pos/presales/deposits"): lambda v: {
        "client_id": "1f8fad5b-d9cb-469f-a165-70867728950e",
        "shift_id": victim_till(v)["shift_id"],
        "presale_id": victim_presale_id(v),
        "sku_id": v.catalog()["sku_id"],
        "member_id": victim_member_id(v),
        "tenders": [{"method": "cash", "amount": 100}],
    },
    ("POST", "/api/v1/pos/presales/deposits/{deposit_id}/balance"): lambda v: {
        "client_id": "2f8fad5b-d9cb-469f-a165-70867728950e",
        "shift_id": victim_till(v)["shift_id"],
        "tenders": [{"method": "cash", "amount": 100}],
    },
    ("POST", "/api/v1/payments/deferred"): lambda v: {"order_id": victim_order_id(v)},
    ("POST", "/api/v1/payments/deferred/{charge_id}/pay"): lambda v: {},
    ("PUT", "/api/v1/payments/deferred/policy"): lambda v: {
        "brand_id": v.world.brand.id,
        "threshold": 0,
    },
    ("POST", "/api/v1/presales"): lambda v: _presale_body(v),
    ("POST", "/api/v1/presales/{presale_id}/deposits"): lambda v: {
        "store_id": v.world.east_store.id,
        "sku_id": v.catalog()["sku_id"],
    },
    ("PUT", "/api/v1/presales/deposits/{deposit_id}/delivery"): lambda v: {"method": "pickup"},
    ("POST", "/api/v1/carts"): lambda v: {
        "store_id": v.world.east_store.id,
        "channel": "pos",
        "lines": [{"sku_id": v.catalog()["sku_id"], "quantity": 1}],
    },
    ("POST", "/api/v1/orders"): lambda v: {
        "store_id": v.world.east_store.id,
        "channel": "pos",
        "lines": [{"sku_id": v.catalog()["sku_id"], "quantity": 1}],
        "delivery": {"method": "pickup"},
    },
    ("POST", "/api/v1/purchases"): lambda v: {
        "store_id": v.world.east_store.id,
        "channel": "pos",
        "lines": [{"sku_id": v.catalog()["sku_id"], "quantity": 1}],
        "delivery": {"method": "pickup"},
    },
    ("POST", "/api/v1/pickups/handover"): lambda v: {
        "store_id": v.world.east_store.id,
        "pickup_code": "123456",
    },
    ("POST", "/api/v1/carts/{cart_id}/checkout"): lambda v: {"delivery": {"method": "pickup"}},
    ("PUT", "/api/v1/carts/{cart_id}/lines"): lambda v: {
        "lines": [{"sku_id": v.catalog()["sku_id"], "quantity": 1}]
    },
    ("POST", "/api/v1/orders/{order_id}/refunds"): lambda v: {"amount": 1},
    ("POST", "/api/v1/returns"): lambda v: {
        "order_id": victim_order_id(v),
        "receiving_location_id": v.world.east_store.id,
        "lines": [{"order_line_id": 1, "quantity": 1}],
        "received": True,
    },
    ("PUT", "/api/v1/return-policy"): lambda v: {"brand_id": v.world.brand.id, "window_days": 0},
    ("POST", "/api/v1/orders/{order_id}/fulfilments/{fulfilment_id}/ship"): lambda v: {},
    ("POST", "/api/v1/webhooks"): lambda v: {
        "brand_id": v.world.brand.id,
        "url": "https://attacker.example.com/hook",
    },
    ("POST", "/api/v1/inventory/movements"): lambda v: {
        "kind": "receipt",
        "location_id": v.world.east_store.id,
        "lines": [{"sku_id": v.catalog()["sku_id"], "quantity": 1}],
    },
    ("POST", "/api/v1/inventory/transfers"): lambda v: {
        "from_location_id": v.world.east_store.id,
        "to_location_id": v.world.west_store.id,
        "lines": [{"sku_id": v.catalog()["sku_id"], "quantity": 1}],
    },
    ("POST", "/api/v1/inventory/reservations"): lambda v: {
        "purpose": "cart",
        "reference_id": "evil",
        "lines": [
            {"location_id": v.world.east_store.id, "sku_id": v.catalog()["sku_id"], "quantity": 1}
        ],
    },
    ("POST", "/api/v1/inventory/sync"): lambda v: {
        "items": [
            {
                "location_id": v.world.east_store.id,
                "sku_id": v.catalog()["sku_id"],
                "on_hand": 0,
                "seq": 1,
            }
        ]
    },
    ("POST", "/api/v1/store-activities"): lambda v: {
        "store_id": v.world.east_store.id,
        "title": "x",
        "starts_at": "2030-01-01T00:00:00Z",
        "ends_at": "2030-01-02T00:00:00Z",
    },
    ("PATCH", "/api/v1/store-activities/{activity_id}"): lambda v: {"title": "renamed"},
    ("PUT", "/api/v1/brands/{brand_id}/cloudstore"): lambda v: {"store_sourcing": "any"},
    ("PUT", "/api/v1/brands/{brand_id}/cloudstore/featured"): lambda v: {
        "sku_ids": [v.catalog()["sku_id"]]
    },
    ("PUT", "/api/v1/stores/{store_id}/cloudstore/featured"): lambda v: {
        "sku_ids": [v.catalog()["sku_id"]]
    },
    ("POST", "/api/v1/regions"): lambda v: {
        "brand_id": v.world.brand.id,
        "parent_id": v.world.hq.id,
        "code": "EVIL",
        "name": "x",
    },
    ("POST", "/api/v1/stores"): lambda v: {
        "region_id": v.world.east.id,
        "code": "EVIL",
        "name": "x",
        "type": "direct",
        "lat": 31.0,
        "lng": 121.0,
    },
    ("POST", "/api/v1/staff"): lambda v: {
        "username": "evil.user",
        "display_name": "x",
        "password": "long-enough-pw",
        "roles": [{"role": "guide", "store_id": v.world.east_store.id}],
    },
    ("POST", "/api/v1/api-keys"): lambda v: {"brand_id": v.world.brand.id, "name": "x"},
    ("POST", "/api/v1/brands"): lambda v: None,  # platform-only; no victim reference possible
    ("POST", "/api/v1/districts"): lambda v: None,  # platform-only, shared
    ("POST", "/api/v1/categories"): lambda v: {
        "brand_id": v.world.brand.id,
        "code": "EVIL",
        "name": "x",
    },
    ("POST", "/api/v1/products"): lambda v: {
        "brand_id": v.world.brand.id,
        "category_id": v.catalog()["category_id"],
        "code": "EVIL",
        "title": "x",
    },
    ("POST", "/api/v1/products/{product_id}/skus"): lambda v: {"code": "EVIL"},
    ("POST", "/api/v1/offers"): lambda v: {"sku_id": v.catalog()["sku_id"], "price": 1},
    ("POST", "/api/v1/catalog/imports"): lambda v: None,  # multipart; tests/e2e/test_catalog.py
    ("PATCH", "/api/v1/regions/{region_id}"): lambda v: {"name": "renamed"},
    ("PATCH", "/api/v1/stores/{store_id}"): lambda v: {"name": "renamed"},
    ("PATCH", "/api/v1/staff/{staff_id}"): lambda v: {"display_name": "renamed"},
    ("PATCH", "/api/v1/brands/{brand_id}"): lambda v: {"name": "renamed"},
    ("PUT", "/api/v1/staff/{staff_id}/roles"): lambda v: {"roles": [{"role": "brand_admin"}]},
    ("POST", "/api/v1/members"): lambda v: {
        "phone": "13812340000",
        "store_id": v.world.east_store.id,
        "guide_id": v.world.east_guide.id,
    },
    ("PATCH", "/api/v1/members/{member_id}"): lambda v: {"consents": {"marketing": True}},
    ("PUT", "/api/v1/members/{member_id}/binding"): lambda v: {
        "store_id": v.world.east_store.id,
        "guide_id": v.world.east_guide.id,
    },
    ("POST", "/api/v1/members/{member_id}/points"): lambda v: {"kind": "earn", "points": 1},
    ("PUT", "/api/v1/binding-policy"): lambda v: {"brand_id": v.world.brand.id, "mode": "override"},
    ("PUT", "/api/v1/member-program"): lambda v: {
        "brand_id": v.world.brand.id,
        "tiers": [{"code": "evil", "name": "x", "threshold": 0}],
    },
    ("POST", "/api/v1/guides/{guide_id}/rebind"): lambda v: {"spread": True},
    ("POST", "/api/v1/consumers/me/identifiers"): lambda v: {"kind": "device", "value": "x"},
    ("POST", "/api/v1/consumers/me/addresses"): lambda v: {
        "brand_id": v.world.brand.id,
        **_address_body(),
    },
    ("PUT", "/api/v1/consumers/me/addresses/{address_id}"): lambda v: _address_body(),
    ("POST", "/api/v1/consumers/merges"): lambda v: {"consumer_id": 1, "other_consumer_id": 2},
    ("POST", "/api/v1/codes"): lambda v: {"store_id": v.world.east_store.id, "placement": "poster"},
    ("POST", "/api/v1/codes/bulk"): lambda v: {
        "store_id": v.world.east_store.id,
        "placement": "shelf_tag",
        "count": 2,
    },
    ("PATCH", "/api/v1/codes/{code}"): lambda v: {"is_active": False},
    ("POST", "/api/v1/promotions"): lambda v: {
        "brand_id": v.world.brand.id,
        "name": "evil",
        "kind": "spend_save",
        "terms": {"tiers": [{"threshold": 100, "off": 10}]},
        "starts_at": "2026-01-01T00:00:00Z",
    },
    ("PATCH", "/api/v1/promotions/{promotion_id}"): lambda v: {"name": "renamed"},
    ("POST", "/api/v1/coupons/templates"): lambda v: _template_body(v),
    ("PATCH", "/api/v1/coupons/templates/{template_id}"): lambda v: {"name": "renamed"},
    ("POST", "/api/v1/coupons/{coupon_id}/redeem-at-store"): lambda v: {
        "store_id": v.world.east_store.id
    },
    ("POST", "/api/v1/coupons/templates/{template_id}/import"): lambda v: {
        "entries": [{"external_ref": "attack-1", "member_id": victim_member_id(v)}]
    },
    ("POST", "/api/v1/coupons/claim"): lambda v: {
        "template_id": victim_template_id(v),
        "member_id": victim_member_id(v),
    },
    ("POST", "/api/v1/coupons/best"): lambda v: {
        "brand_id": v.world.brand.id,
        "store_id": v.world.east_store.id,
        "channel": "pos",
        "lines": [{"sku_id": v.catalog()["sku_id"], "quantity": 1}],
        "member_id": victim_member_id(v),
    },
    ("POST", "/api/v1/coupon-packages"): lambda v: _package_body(v),
    ("POST", "/api/v1/commission/plans"): lambda v: {"brand_id": v.world.brand.id, "name": "x"},
    ("POST", "/api/v1/commission/plans/{plan_id}/rules"): lambda v: _rule_body(),
    ("PUT", "/api/v1/commission/plans/{plan_id}/rules/{rule_id}"): lambda v: _rule_body(),
    ("POST", "/api/v1/commission/test"): lambda v: {
        "channel": "pos",
        "amount": 100,
        "store_id": v.world.east_store.id,
        "bound_guide_id": v.world.east_guide.id,
    },
    ("PUT", "/api/v1/commission/schedule"): lambda v: {
        "brand_id": v.world.brand.id,
        "kind": "every_n_days",
        "every_days": 7,
        "starts_on": "2026-01-01",
    },
    ("POST", "/api/v1/commission/periods"): lambda v: {"brand_id": v.world.brand.id},
}


def _package_body(v: Victim) -> dict[str, Any]:
    from tests import promotion_builders

    return promotion_builders.package_body([victim_template_id(v)])


def _rule_body() -> dict[str, Any]:
    return {"name": "evil", "kind": "cps", "rate_bp": 10_000}


# Query parameters a route requires, so that the call reaches the service.
ATTACK_QUERIES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/api/v1/pos/products"): {"store_id": "1", "q": "a"},
    ("GET", "/api/v1/pos/members"): {"store_id": "1", "phone": "13812340000"},
    ("GET", "/api/v1/pos/guides"): {"store_id": "1"},
    ("GET", "/api/v1/pos/orders-to-return"): {"number": "0"},
    ("GET", "/api/v1/consumers/me/addresses"): {"brand_id": "1"},
    ("GET", "/api/v1/stores/{store_id}/catalog"): {"channel": "pos"},
    ("GET", "/api/v1/catalog/exports"): {"kind": "offers"},
}


@dataclass(frozen=True)
class ApiRoute:
    method: str
    path: str
    params: tuple[str, ...]
    has_body: bool


_ROUTES: list[ApiRoute] = []


def api_routes(app: FastAPI) -> Iterator[ApiRoute]:
    """Every operation of the API, read from the OpenAPI document the app publishes.

    Read once per test process: every app the tests build serves the same routes, and
    writing the document costs about two seconds.
    """
    if not _ROUTES:
        _ROUTES.extend(_read_routes(app))
    return iter(_ROUTES)


def _read_routes(app: FastAPI) -> Iterator[ApiRoute]:
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            method = method.upper()
            if (method, path) in PUBLIC_ROUTES:
                continue
            params = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "path")
            yield ApiRoute(method, path, params, "requestBody" in operation)


def _victim_markers(v: Victim) -> tuple[int, set[str]]:
    w = v.world
    strings = {
        w.brand.code,
        w.east_store.code,
        w.west_store.code,
        w.hq.code,
        w.east.code,
        w.admin.username,
        w.east_guide.username,
    }
    return w.brand.id, strings


def _leaks(payload: Any, brand_id: int, strings: set[str]) -> bool:
    if isinstance(payload, dict):
        if payload.get("brand_id") == brand_id:
            return True
        return any(_leaks(value, brand_id, strings) for value in payload.values())
    if isinstance(payload, list):
        return any(_leaks(item, brand_id, strings) for item in payload)
    return isinstance(payload, str) and payload in strings


def walk(
    client: TestClient,
    headers: dict[str, str],
    victim: Victim,
    only: tuple[str, ...] = ("/api/v1/",),
) -> list[str]:
    """Call every API route (under the prefixes ``only``) as the attacker; return what leaked
    or could not be checked."""
    problems: list[str] = []
    brand_id, strings = _victim_markers(victim)
    for route in api_routes(client.app):  # type: ignore[arg-type]
        if not route.path.startswith(only):
            continue
        method, params, has_body = route.method, route.params, route.has_body
        unknown = [p for p in params if p not in VICTIM_PARAMS and p not in SHARED_PARAMS]
        if unknown:
            problems.append(f"{method} {route.path}: add {unknown} to VICTIM_PARAMS")
            continue
        if any(p in SHARED_PARAMS for p in params):
            continue
        path = route.path.format(**{p: VICTIM_PARAMS[p](victim) for p in params})
        body_for = ATTACK_BODIES.get((method, route.path))
        if has_body and body_for is None and not params:
            problems.append(f"{method} {route.path}: add an attack body to ATTACK_BODIES")
            continue
        body = body_for(victim) if body_for else ({} if has_body else None)
        if has_body and body is None:
            continue
        query = ATTACK_QUERIES.get((method, route.path), {})
        response = client.request(method, path, json=body, headers=headers, params=query)
        label = f"{method} {route.path} -> {response.status_code}"
        if params:
            if response.status_code != 404:
                problems.append(f"{label}: a cross-tenant call must be 404 ({response.text[:200]})")
        elif response.status_code == 422:
            problems.append(f"{label}: attack body does not validate ({response.text[:200]})")
        elif response.status_code < 300 and method != "GET":
            problems.append(f"{label}: a write referencing another brand succeeded")
        elif response.headers.get("content-type", "").startswith("application/json") and _leaks(
            response.json(), brand_id, strings
        ):
            problems.append(f"{label}: response contains the victim's data")
        if method == "GET" and not params:
            scoped = client.get(path, params={**query, "brand_id": brand_id}, headers=headers)
            if scoped.status_code < 300 and _leaks(scoped.json(), brand_id, strings):
                problems.append(f"{label} ?brand_id=victim: response contains the victim's data")
    return problems
