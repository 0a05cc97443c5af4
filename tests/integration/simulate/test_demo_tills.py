"""The demo's tills: registers in every store that sells, a shift open for the featured
cashier, who can sell a scanned product at once."""

import uuid

from sqlalchemy import select

from newretail.auth import service as auth_service
from newretail.auth.models import Staff
from newretail.db import Database
from newretail.kernel.scope import Role
from newretail.pos import service as pos_service
from newretail.pos.models import Register, Shift
from newretail.pos.schemas import SaleCreate
from newretail.simulate import demo, tills
from newretail.simulate.world import World


def test_every_store_that_sells_has_a_register_and_warehouses_none(
    world: World, world_database: Database
) -> None:
    selling = {s.id for b in world.brands.values() for s in b.stores if s.type in tills.SELLS}
    with world_database.transaction(read_only=True) as session:
        stores = set(session.scalars(select(Register.store_id)))
    assert stores == selling


def test_the_featured_cashier_has_an_open_shift_and_sells_a_scanned_product(
    world: World, world_database: Database
) -> None:
    cashier = next(x for x in demo.featured_logins(world) if x.role == Role.CASHIER)
    brand = next(
        b for b in world.brands.values() if cashier.username in {s.username for s in b.staff}
    )
    store_code = next(s.store_code for s in brand.staff if s.username == cashier.username)
    received = sorted(code for (where, code) in brand.catalog.received if where == store_code)
    barcode = brand.catalog.skus[received[0]].barcode
    shift_id = world.truth["tills"][brand.code]["open_shift_id"]
    with world_database.transaction(read_only=True) as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None
        staff = session.scalars(select(Staff).where(Staff.username == cashier.username)).one()
        scope = auth_service.scope_for_staff(session=session, staff=staff)
        found = pos_service.products(
            session=session, scope=scope, store_id=shift.store_id, barcode=barcode, q=None
        )
        opened = (
            shift.status,
            shift.opened_by_id == staff.id,
            shift.store_id in (scope.store_ids or ()),
        )
    sale = SaleCreate.model_validate(
        {
            "client_id": str(uuid.uuid4()),
            "shift_id": shift_id,
            "lines": [{"sku_id": found[0].sku_id, "quantity": 1}],
            "tenders": [{"method": "cash", "amount": found[0].unit_price}],
        }
    )
    with world_database.transaction() as session:
        placed = pos_service.place_sale(session=session, scope=scope, data=sale)
        session.rollback()  # the shared world is read, not changed
    assert opened == ("open", True, True)
    assert [(hit.sellable, hit.available_here > 0) for hit in found] == [(True, True)]
    assert placed.read.status == "completed"
