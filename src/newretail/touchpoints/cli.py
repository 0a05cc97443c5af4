"""``newretail codes``: print sheets of a store's touchpoint codes."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from newretail.config import get_settings

app = typer.Typer(help="Touchpoint codes (QR codes in stores).", no_args_is_help=True)
console = Console(stderr=True)
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@app.command("print")
def print_sheet(
    store: Annotated[str, typer.Option(help="The store's code.")],
    out: Annotated[Path, typer.Option(help="The PDF file to write.", dir_okay=False)],
    brand: Annotated[
        str | None, typer.Option(help="The brand's code, when several brands have the store code.")
    ] = None,
    locale: Annotated[str, typer.Option(help="zh_Hans_CN or en.")] = "",
    base_url: Annotated[
        str | None,
        typer.Option(
            help="Where phones reach the pages, as printed in the QR codes "
            f"(default: NEWRETAIL_PUBLIC_BASE_URL, else {DEFAULT_BASE_URL})."
        ),
    ] = None,
) -> None:
    """Write an A4 PDF of the store's active codes, a grid of QR labels."""
    from newretail.db import Database
    from newretail.kernel import i18n
    from newretail.kernel.errors import DomainError
    from newretail.kernel.scope import SYSTEM
    from newretail.org import service as org_service
    from newretail.touchpoints import service

    settings = get_settings()
    chosen = i18n.supported(locale or settings.default_locale)
    if chosen is None:
        console.print(f"[red]unknown locale {locale!r}; use one of {', '.join(i18n.LOCALES)}[/red]")
        raise typer.Exit(2)
    database = Database(settings.database_url)
    try:
        with database.transaction(read_only=True) as session:
            scope = SYSTEM
            if brand is not None:
                found = org_service.get_brand_by_code(session=session, scope=SYSTEM, code=brand)
                scope = service.brand_scope(found.id)
            stores = service.store_ids_by_code(session=session, scope=scope, store_code=store)
            if not stores:
                console.print(f"[red]no store has the code {store!r}[/red]")
                raise typer.Exit(2)
            if len(stores) > 1:
                console.print(f"[red]several brands have a store {store!r}; give --brand[/red]")
                raise typer.Exit(2)
            pdf = service.print_sheet(
                session=session,
                scope=scope,
                store_id=stores[0],
                base_url=base_url or settings.public_base_url or DEFAULT_BASE_URL,
                translate=i18n.translations(chosen).gettext,
            )
    except DomainError as exc:
        console.print(f"[red]{exc.code}: {exc.detail}[/red]")
        raise typer.Exit(2) from exc
    finally:
        database.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    console.print(f"[green]wrote {out} ({len(pdf)} bytes)[/green]")
