"""The tills step: every store that sells gets a register per cashier (at least one), and
the cashier printed with the demo's logins a shift already open on their store's first
register, so they can sell at ``/pos`` the moment the demo is up (the other registers wait
for a cashier to open a shift).

Recorded under ``world.truth["tills"]``: per brand, each store code's register codes and
the id of the open shift.
"""

from newretail.auth import service as auth_service
from newretail.kernel.scope import SYSTEM, Role
from newretail.pos import service as pos_service
from newretail.pos.schemas import RegisterCreate
from newretail.simulate.world import BrandRecord, Step, StepContext

STEP_NAME = "tills"
OPENING_FLOAT = 50_000  # 500 yuan of change in the drawer
SELLS = frozenset({"direct", "franchise", "counter", "popup"})


def step() -> Step:
    return Step(name=STEP_NAME, run=build, units=1)


def build(ctx: StepContext) -> None:
    truth = {brand.code: _brand(ctx, brand) for brand in ctx.world.brands.values()}
    ctx.world.truth[STEP_NAME] = truth
    ctx.tick(1)


def _brand(ctx: StepContext, brand: BrandRecord) -> dict[str, object]:
    cashiers = brand.staff_with_role(Role.CASHIER)
    registers: dict[str, list[str]] = {}
    first_ids: dict[str, int] = {}
    for store in (s for s in brand.stores if s.type in SELLS):
        count = max(1, sum(1 for c in cashiers if c.store_code == store.code))
        registers[store.code] = [f"R{n}" for n in range(1, count + 1)]
        for code in registers[store.code]:
            register = pos_service.create_register(
                session=ctx.session,
                scope=SYSTEM,
                data=RegisterCreate(store_id=store.id, code=code, name=f"{store.name} {code}"),
            )
            first_ids.setdefault(store.code, register.id)
    featured = cashiers[0] if cashiers else None
    shift_id = None
    if featured is not None and featured.store_code in first_ids:
        shift_id = _open(ctx, first_ids[featured.store_code], featured.id)
    return {"registers": registers, "open_shift_id": shift_id}


def _open(ctx: StepContext, register_id: int, cashier_id: int) -> int:
    """A shift on the register, opened by the cashier printed with the demo's logins."""
    staff = auth_service.get_staff(session=ctx.session, scope=SYSTEM, staff_id=cashier_id)
    scope = auth_service.scope_for_staff(session=ctx.session, staff=staff)
    shift = pos_service.open_shift(
        session=ctx.session, scope=scope, register_id=register_id, opening_float=OPENING_FLOAT
    )
    return shift.id
