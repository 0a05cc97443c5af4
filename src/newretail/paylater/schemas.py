"""Request and response bodies of pay later (优享购)."""

from datetime import datetime
from typing import Annotated

from pydantic import Field

from newretail.kernel.schemas import Id, InputModel, ReadModel
from newretail.orders.schemas import OrderRead

Instruction = Annotated[
    str | None,
    Field(
        default=None,
        pattern="^(succeed|decline)$",
        description="Sandbox only: what the provider should do with this charge.",
    ),
]


class DeferredCreate(InputModel):
    order_id: Id
    provider: Annotated[str, Field(pattern="^[a-z][a-z0-9_]{0,31}$")] = "sandbox"
    instruction: Instruction = None
    charge_instruction: Instruction = Field(
        default=None, description="Sandbox only: what the later automatic charges should do."
    )


class EarlyPayment(InputModel):
    instruction: Instruction = None


class PolicyUpdate(InputModel):
    brand_id: Annotated[int | None, Field(default=None, ge=1, le=2**53)] = None
    threshold: Annotated[int, Field(ge=0, le=1000)]
    down_payment: Annotated[int, Field(ge=0, le=10**8)] = 100
    term_days: Annotated[int, Field(ge=1, le=365)] = 30


class PolicyRead(ReadModel):
    brand_id: int
    threshold: int
    down_payment: int
    term_days: int


class DeferredRead(ReadModel):
    id: int
    brand_id: int
    order_id: int
    store_id: int
    member_id: int
    score: int
    down_payment: int
    amount: int = Field(description="The deferred balance, minor units.")
    currency: str
    status: str = Field(description="scheduled, retrying, dunning or paid.")
    due_at: datetime
    next_attempt_at: datetime | None
    attempts: int
    last_failure: str | None
    created_at: datetime
    paid_at: datetime | None


class DeferredResult(ReadModel):
    charge: DeferredRead
    order: OrderRead


class CreditRead(ReadModel):
    member_id: int
    score: int
    threshold: int
    qualifies: bool
