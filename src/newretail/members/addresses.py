"""A consumer's address book with one brand: list, add, change, delete, make default.

Every address belongs to one live consumer and one brand; a caller only ever reaches their
own addresses (of the brand they name, when they name one), so another consumer's id, or
another brand's from a brand's shop, is not found.
The first address of a brand becomes its default; deleting the default hands the flag to
the most recently changed one left, so a non-empty book always has exactly one default.
"""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newretail.db import utcnow
from newretail.kernel.scope import Scope
from newretail.members import errors
from newretail.members.access import own_consumer_id
from newretail.members.models import ConsumerAddress
from newretail.members.phones import normalise_phone
from newretail.members.schemas import AddressFields
from newretail.org import errors as org_errors
from newretail.org import service as org_service

MAX_ADDRESSES = 20


def _owner(session: Session, scope: Scope, brand_id: int) -> tuple[int, str]:
    """The caller's live consumer id and the brand's country (phones are read in it)."""
    consumer_id = own_consumer_id(session=session, scope=scope)
    return consumer_id, _country(session, brand_id)


def _country(session: Session, brand_id: int) -> str:
    brand = org_service.live_brand(session=session, brand_id=brand_id)
    if brand is None:
        raise org_errors.BrandNotFound()
    return brand.country


def list_addresses(*, session: Session, scope: Scope, brand_id: int) -> list[ConsumerAddress]:
    """The caller's addresses with ``brand_id``: the default first, then the latest changed."""
    consumer_id, _ = _owner(session, scope, brand_id)
    query = (
        select(ConsumerAddress)
        .where(ConsumerAddress.consumer_id == consumer_id, ConsumerAddress.brand_id == brand_id)
        .order_by(
            ConsumerAddress.is_default.desc(),
            ConsumerAddress.updated_at.desc(),
            ConsumerAddress.id.desc(),
        )
    )
    return list(session.scalars(query))


def get_address(
    *, session: Session, scope: Scope, address_id: int, brand_id: int | None = None
) -> ConsumerAddress:
    """One of the caller's addresses (of ``brand_id`` when given), else ``address_not_found``."""
    consumer_id = own_consumer_id(session=session, scope=scope)
    query = select(ConsumerAddress).where(
        ConsumerAddress.id == address_id, ConsumerAddress.consumer_id == consumer_id
    )
    if brand_id is not None:
        query = query.where(ConsumerAddress.brand_id == brand_id)
    found = session.scalar(query) if 0 < address_id <= 2**53 else None
    if found is None:
        raise errors.AddressNotFound()
    return found


def _fill(address: ConsumerAddress, data: AddressFields, country: str) -> None:
    address.recipient, address.phone = data.recipient, normalise_phone(data.phone, region=country)
    address.region, address.city, address.district = data.region, data.city, data.district
    address.line, address.updated_at = data.line, utcnow()


def _clear_default(session: Session, consumer_id: int, brand_id: int) -> None:
    session.execute(
        update(ConsumerAddress)
        .where(
            ConsumerAddress.consumer_id == consumer_id,
            ConsumerAddress.brand_id == brand_id,
            ConsumerAddress.is_default.is_(True),
        )
        .values(is_default=False),
        execution_options={"synchronize_session": "fetch"},
    )


def add_address(
    *, session: Session, scope: Scope, brand_id: int, data: AddressFields
) -> ConsumerAddress:
    """A new address (``address_book_full`` past ``MAX_ADDRESSES``); the first is the default."""
    consumer_id, country = _owner(session, scope, brand_id)
    held = list_addresses(session=session, scope=scope, brand_id=brand_id)
    if len(held) >= MAX_ADDRESSES:
        raise errors.AddressBookFull()
    address = ConsumerAddress(consumer_id=consumer_id, brand_id=brand_id)
    _fill(address, data, country)
    default = data.is_default or not held
    if default:
        _clear_default(session, consumer_id, brand_id)
    address.is_default = default
    session.add(address)
    session.flush()
    return address


def change_address(
    *,
    session: Session,
    scope: Scope,
    address_id: int,
    data: AddressFields,
    brand_id: int | None = None,
) -> ConsumerAddress:
    """Replace an address's fields; ``is_default`` true makes it the default (false keeps it)."""
    address = get_address(session=session, scope=scope, address_id=address_id, brand_id=brand_id)
    _fill(address, data, _country(session, address.brand_id))
    if data.is_default and not address.is_default:
        _clear_default(session, address.consumer_id, address.brand_id)
        address.is_default = True
    session.flush()
    return address


def make_default(
    *, session: Session, scope: Scope, address_id: int, brand_id: int | None = None
) -> ConsumerAddress:
    address = get_address(session=session, scope=scope, address_id=address_id, brand_id=brand_id)
    _clear_default(session, address.consumer_id, address.brand_id)
    address.is_default = True
    session.flush()
    return address


def delete_address(
    *, session: Session, scope: Scope, address_id: int, brand_id: int | None = None
) -> None:
    address = get_address(session=session, scope=scope, address_id=address_id, brand_id=brand_id)
    owner, was_default = address.brand_id, address.is_default
    session.delete(address)
    session.flush()
    if was_default:
        left = list_addresses(session=session, scope=scope, brand_id=owner)
        if left:
            left[0].is_default = True
            session.flush()
