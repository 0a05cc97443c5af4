from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from newretail.config import Settings
from newretail.kernel import i18n
from newretail.kernel.http import ApiRoute, Cursor, Limit, ScopeDep, SessionDep, resolve_scope
from newretail.kernel.schemas import Page
from newretail.kernel.scope import Scope
from newretail.touchpoints import errors, service
from newretail.touchpoints.rules import Placement
from newretail.touchpoints.schemas import (
    CodeBulkCreate,
    CodeCreate,
    CodeJoinCreate,
    CodeJoinRead,
    CodeRead,
    CodeStatsRead,
    CodeUpdate,
    ScanCreate,
    ScanRead,
)

router = APIRouter(tags=["touchpoints"], route_class=ApiRoute)
CodePath = Annotated[str, Path(max_length=16, description="The code, e.g. `Hk4pT9wz`.")]
_bearer = HTTPBearer(auto_error=False, description="A consumer token, if the scanner has one.")


def base_url(request: Request) -> str:
    """Where consumers reach the pages: configured, else this request's own origin."""
    settings: Settings = request.app.state.settings
    return settings.public_base_url or str(request.base_url)


async def optional_scope(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Scope | None:
    if credentials is None or credentials.scheme.lower() != "bearer":
        return None
    return await resolve_scope(request, session, credentials.credentials)


OptionalScope = Annotated[Scope | None, Depends(optional_scope)]


def _consumer_id(scope: Scope | None) -> int | None:
    return scope.actor_id if scope is not None and scope.actor_type == "consumer" else None


@router.post("/codes", response_model=CodeRead, status_code=status.HTTP_201_CREATED)
def create_code(
    data: CodeCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> CodeRead:
    """A code of a store (and guide) for a shelf tag, floor sticker, poster, ad or product."""
    row = service.create_code(session=session, scope=scope, data=data)
    return service.code_read(session=session, row=row, base_url=base_url(request))


@router.post("/codes/bulk", response_model=list[CodeRead], status_code=status.HTTP_201_CREATED)
def create_codes(
    data: CodeBulkCreate, request: Request, session: SessionDep, scope: ScopeDep
) -> list[CodeRead]:
    """Up to 200 codes of one placement for one store."""
    rows = service.create_codes(session=session, scope=scope, data=data)
    url = base_url(request)
    return [service.code_read(session=session, row=row, base_url=url) for row in rows]


@router.get("/codes", response_model=Page[CodeRead])
def list_codes(
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    cursor: Cursor = None,
    limit: Limit = 50,
    store_id: int | None = None,
    guide_id: int | None = None,
    placement: Placement | None = None,
    campaign: Annotated[str | None, Query(max_length=100)] = None,
    is_active: bool | None = None,
) -> Page[CodeRead]:
    """Codes you may see: brand roles all, store roles their stores', guides their own."""
    rows, next_cursor = service.list_codes(
        session=session,
        scope=scope,
        cursor=cursor,
        limit=limit,
        store_id=store_id,
        guide_id=guide_id,
        placement=placement,
        campaign=campaign,
        is_active=is_active,
    )
    url = base_url(request)
    items = [service.code_read(session=session, row=row, base_url=url) for row in rows]
    return Page(items=items, next_cursor=next_cursor)


# The image routes come before /codes/{code}, which would otherwise take "abc.png" as a code.
@router.get(
    "/codes/{code}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The QR code."}},
)
def code_png(code: CodePath, request: Request, session: SessionDep, scope: ScopeDep) -> Response:
    """The QR code of the code's public scan URL, as a PNG."""
    image = service.qr_png(session=session, scope=scope, code=code, base_url=base_url(request))
    return Response(content=image, media_type="image/png")


@router.get(
    "/codes/{code}.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The QR code."}},
)
def code_svg(code: CodePath, request: Request, session: SessionDep, scope: ScopeDep) -> Response:
    """The QR code of the code's public scan URL, as an SVG."""
    image = service.qr_svg(session=session, scope=scope, code=code, base_url=base_url(request))
    return Response(content=image, media_type="image/svg+xml")


@router.get("/codes/{code}", response_model=CodeRead)
def read_code(code: CodePath, request: Request, session: SessionDep, scope: ScopeDep) -> CodeRead:
    row = service.get_code(session=session, scope=scope, code=code)
    return service.code_read(session=session, row=row, base_url=base_url(request))


@router.patch("/codes/{code}", response_model=CodeRead)
def update_code(
    code: CodePath, data: CodeUpdate, request: Request, session: SessionDep, scope: ScopeDep
) -> CodeRead:
    """Change the target, campaign or label, or deactivate the code (`is_active: false`)."""
    row = service.update_code(session=session, scope=scope, code=code, data=data)
    return service.code_read(session=session, row=row, base_url=base_url(request))


@router.get("/codes/{code}/stats", response_model=CodeStatsRead)
def code_stats(
    code: CodePath,
    session: SessionDep,
    scope: ScopeDep,
    since: Annotated[
        datetime | None, Query(description="With a time zone; default 30 days ago.")
    ] = None,
    until: Annotated[datetime | None, Query(description="With a time zone; default now.")] = None,
) -> CodeStatsRead:
    """Scans, unique scanners, joins and bindings through the code in [since, until)."""
    return service.stats(
        session=session,
        scope=scope,
        code=code,
        since=since,
        until=until,
    )


@router.post("/codes/{code}/scan", response_model=ScanRead, status_code=status.HTTP_201_CREATED)
def scan_code(
    code: CodePath, data: ScanCreate, session: SessionDep, scope: OptionalScope
) -> ScanRead:
    """Public: record a scan (a consumer token says who) and answer where it leads."""
    result = service.scan(
        session=session,
        code=code,
        consumer_id=_consumer_id(scope),
        anonymous_id=data.anonymous_id,
        device=data.device,
    )
    return ScanRead(
        code=result.code.code,
        scan_id=result.scan.id,
        target=result.code.target,
        target_path=result.target_path,
        offers_membership=result.offers_membership,
        join_path=service.join_path(result.code.code) if result.offers_membership else None,
        brand_name=result.names.brand_name,
        store_name=result.names.store_name,
        guide_name=result.names.guide_name,
    )


@router.post("/codes/{code}/join", response_model=CodeJoinRead)
def join_by_code(
    code: CodePath, data: CodeJoinCreate, session: SessionDep, scope: OptionalScope
) -> CodeJoinRead:
    """A consumer joins the code's brand, bound to its store and guide by the brand's policy."""
    consumer_id = _consumer_id(scope)
    if consumer_id is None:
        raise errors.ConsumerTokenRequired()
    result = service.join(
        session=session, code=code, consumer_id=consumer_id, consents=data.consents
    )
    return service.join_read(result)


@router.post(
    "/guides/{guide_id}/badge",
    response_model=CodeRead,
    responses={201: {"description": "The badge was created by this call."}},
)
def guide_badge(
    guide_id: int, request: Request, response: Response, session: SessionDep, scope: ScopeDep
) -> CodeRead:
    """The guide's own badge code ("my QR code"), created on the first ask."""
    row, created = service.guide_badge(session=session, scope=scope, guide_id=guide_id)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return service.code_read(session=session, row=row, base_url=base_url(request))


@router.get(
    "/stores/{store_id}/code-sheet",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "An A4 PDF."}},
)
def code_sheet(
    store_id: int,
    request: Request,
    session: SessionDep,
    scope: ScopeDep,
    locale: Literal["zh_Hans_CN", "en"] | None = None,
) -> Response:
    """The store's active codes as a printable A4 sheet of QR labels."""
    settings: Settings = request.app.state.settings
    translations = i18n.translations(locale or i18n.supported(settings.default_locale) or i18n.ZH)
    pdf = service.print_sheet(
        session=session,
        scope=scope,
        store_id=store_id,
        base_url=base_url(request),
        translate=translations.gettext,
    )
    headers = {"Content-Disposition": f'attachment; filename="codes-{store_id}.pdf"'}
    return Response(content=pdf, media_type="application/pdf", headers=headers)
