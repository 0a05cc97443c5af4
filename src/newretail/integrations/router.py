from fastapi import APIRouter, Response, status

from newretail.integrations import service
from newretail.integrations.rules import DeliveryStatus
from newretail.integrations.schemas import (
    WebhookCreate,
    WebhookDeliveryRead,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)
from newretail.kernel.http import ApiRoute, Cursor, Limit, ScopeDep, SessionDep
from newretail.kernel.schemas import Page

router = APIRouter(tags=["webhooks"], route_class=ApiRoute)


@router.post("/webhooks", response_model=WebhookWithSecret, status_code=status.HTTP_201_CREATED)
def create_webhook(data: WebhookCreate, session: SessionDep, scope: ScopeDep) -> WebhookWithSecret:
    """Register an endpoint. The signing secret is in this answer and never shown again.

    Each event is POSTed as JSON `{"id", "type", "occurred_at", "brand_id",
    "resource": {"type", "id"}, "data"}` with the headers `Webhook-Id` (the event id, the
    same on every retry: drop repeats by it), `Webhook-Timestamp` (unix seconds) and
    `Webhook-Signature`: `v1=` + hex HMAC-SHA256 of `{id}.{timestamp}.{raw body}` keyed
    with the secret. Any 2xx answer counts as delivered; anything else is retried with
    backoff. Events of one resource arrive in the order they happened.
    """
    endpoint = service.create_endpoint(session=session, scope=scope, data=data)
    return WebhookWithSecret.model_validate(endpoint)


@router.get("/webhooks", response_model=Page[WebhookRead])
def list_webhooks(
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    brand_id: int | None = None,
) -> Page[WebhookRead]:
    items, next_cursor = service.list_endpoints(
        session=session, scope=scope, brand_id=brand_id, cursor=cursor, limit=limit
    )
    return Page(items=[WebhookRead.model_validate(e) for e in items], next_cursor=next_cursor)


@router.get("/webhooks/{webhook_id}", response_model=WebhookRead)
def get_webhook(webhook_id: int, session: SessionDep, scope: ScopeDep) -> WebhookRead:
    endpoint = service.get_endpoint(session=session, scope=scope, webhook_id=webhook_id)
    return WebhookRead.model_validate(endpoint)


@router.patch("/webhooks/{webhook_id}", response_model=WebhookRead)
def update_webhook(
    webhook_id: int, data: WebhookUpdate, session: SessionDep, scope: ScopeDep
) -> WebhookRead:
    endpoint = service.update_endpoint(
        session=session, scope=scope, webhook_id=webhook_id, data=data
    )
    return WebhookRead.model_validate(endpoint)


@router.delete("/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(webhook_id: int, session: SessionDep, scope: ScopeDep) -> Response:
    service.delete_endpoint(session=session, scope=scope, webhook_id=webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/webhooks/{webhook_id}/rotate-secret", response_model=WebhookWithSecret)
def rotate_webhook_secret(
    webhook_id: int, session: SessionDep, scope: ScopeDep
) -> WebhookWithSecret:
    """A new signing secret, effective at once; it is in this answer and never shown again."""
    endpoint = service.rotate_secret(session=session, scope=scope, webhook_id=webhook_id)
    return WebhookWithSecret.model_validate(endpoint)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=Page[WebhookDeliveryRead])
def list_webhook_deliveries(
    webhook_id: int,
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    status: DeliveryStatus | None = None,
) -> Page[WebhookDeliveryRead]:
    items, next_cursor = service.list_deliveries(
        session=session,
        scope=scope,
        webhook_id=webhook_id,
        status=status,
        cursor=cursor,
        limit=limit,
    )
    return Page(
        items=[WebhookDeliveryRead.model_validate(d) for d in items], next_cursor=next_cursor
    )


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=WebhookDeliveryRead,
    status_code=status.HTTP_202_ACCEPTED,
)
def redeliver_webhook(
    webhook_id: int, delivery_id: int, session: SessionDep, scope: ScopeDep
) -> WebhookDeliveryRead:
    """Queue a delivery again from its first attempt; the worker sends it."""
    delivery = service.redeliver(
        session=session, scope=scope, webhook_id=webhook_id, delivery_id=delivery_id
    )
    return WebhookDeliveryRead.model_validate(delivery)
