"""``newretail catalog``: bulk import and export of products, SKUs and offers."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from newretail.config import get_settings

if TYPE_CHECKING:
    from newretail.catalog.imports import ImportReport

app = typer.Typer(help="Catalog bulk import and export.", no_args_is_help=True)
console = Console(stderr=True)

KindOption = Annotated[str, typer.Option(help="products, skus or offers.")]
FormatOption = Annotated[
    str | None, typer.Option("--format", help="csv or json (default: by suffix).")
]


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    brand: Annotated[str, typer.Option(help="The brand's code.")],
    kind: KindOption,
    fmt: FormatOption = None,
    apply_valid: Annotated[
        bool, typer.Option("--apply-valid", help="Write the good rows even if some are bad.")
    ] = False,
) -> None:
    """Import FILE; exits 1 (writing nothing, unless --apply-valid) if any row is bad."""
    from newretail.catalog import service
    from newretail.db import Database
    from newretail.kernel.errors import DomainError
    from newretail.kernel.scope import SYSTEM
    from newretail.org import service as org_service

    file_format = service.FileFormat(fmt or ("json" if file.suffix.lower() == ".json" else "csv"))
    mode = service.ImportMode.APPLY_VALID if apply_valid else service.ImportMode.ALL_OR_NOTHING
    database = Database(get_settings().database_url)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console) as bar, database.transaction() as session:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done)  # type: ignore[arg-type]

            target = org_service.get_brand_by_code(session=session, scope=SYSTEM, code=brand)
            report = service.import_catalog(
                session=session,
                scope=SYSTEM,
                brand_id=target.id,
                kind=service.ImportKind(kind),
                content=file.read_bytes(),
                fmt=file_format,
                mode=mode,
                progress=progress,
            )
    except (DomainError, ValueError) as exc:
        code = getattr(exc, "code", "invalid_input")
        console.print(f"[red]{code}: {exc}[/red]")
        raise typer.Exit(2) from exc
    finally:
        database.dispose()
    _print_report(report)
    if report.errors:
        raise typer.Exit(1)


def _print_report(report: "ImportReport") -> None:
    verdict = "[green]applied[/green]" if report.applied else "[red]nothing applied[/red]"
    console.print(
        f"{report.kind}: {report.rows} rows, {report.valid} valid, {report.created} created, "
        f"{report.updated} updated, {len(report.errors)} bad — {verdict}"
    )
    if report.errors:
        table = Table("line", "code", "column", "detail", title="bad rows (first 50)")
        for error in report.errors[:50]:
            table.add_row(str(error.line), error.code, error.column or "", error.detail)
        console.print(table)


@app.command("export")
def export_file(
    brand: Annotated[str, typer.Option(help="The brand's code.")],
    kind: KindOption,
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Default: stdout.")] = None,
) -> None:
    """Export every product, SKU or offer of a brand in the columns the import reads."""
    from newretail.catalog import service
    from newretail.db import Database
    from newretail.kernel.errors import DomainError
    from newretail.kernel.scope import SYSTEM
    from newretail.org import service as org_service

    database = Database(get_settings().database_url)
    try:
        with database.transaction(read_only=True) as session:
            target = org_service.get_brand_by_code(session=session, scope=SYSTEM, code=brand)
            text = service.export_catalog(
                session=session,
                scope=SYSTEM,
                brand_id=target.id,
                kind=service.ImportKind(kind),
                fmt=service.FileFormat(fmt),
            )
    except (DomainError, ValueError) as exc:
        console.print(f"[red]{getattr(exc, 'code', 'invalid_input')}: {exc}[/red]")
        raise typer.Exit(2) from exc
    finally:
        database.dispose()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"[green]wrote {output}[/green]")
