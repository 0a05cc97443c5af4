"""The ``newretail`` command: serve, worker, migrate, demo, create-admin, catalog, codes."""

import subprocess
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from newretail.catalog import cli as catalog_cli
from newretail.config import get_settings
from newretail.touchpoints import cli as touchpoints_cli

app = typer.Typer(help="newretail: the smart-store platform.", no_args_is_help=True)
app.add_typer(catalog_cli.app, name="catalog")
app.add_typer(touchpoints_cli.app, name="codes")
console = Console()


@app.command()
def migrate(revision: str = "head") -> None:
    """Upgrade the configured database to the newest schema."""
    from newretail import migrate as migrations

    migrations.upgrade(get_settings().database_url, revision)
    console.print(f"[green]database at {revision}[/green]")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, help="API worker processes.")] = 1,
    with_worker: Annotated[
        bool,
        typer.Option(
            help="Also run background work, once: inside the API process when there is one, "
            "else in a `newretail worker` process started (and stopped) with the server."
        ),
    ] = True,
) -> None:
    """Serve the API and the pages."""
    import os

    import uvicorn

    from newretail.observability import configure_logging

    in_process = with_worker and workers == 1
    os.environ["NEWRETAIL_IN_PROCESS_WORKER"] = "true" if in_process else "false"
    get_settings.cache_clear()
    settings = get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    background = BackgroundWorker() if with_worker and not in_process else None
    try:
        if background is not None:
            background.start()
        # No access log: the request middleware logs every request, as JSON, with its id.
        uvicorn.run(
            "newretail.app:serving_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            access_log=False,
        )
    finally:
        if background is not None:
            background.stop()


class BackgroundWorker:
    """One ``newretail worker`` process beside the API processes, restarted if it dies."""

    RESTART_DELAY_SECONDS = 1.0

    def __init__(self) -> None:
        import threading

        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watch = threading.Thread(target=self._keep_alive, name="worker-watch", daemon=True)

    def start(self) -> None:
        self._spawn()
        self._watch.start()

    def _spawn(self) -> None:
        import sys

        # A session of its own: Ctrl-C reaches the server, which then stops this process.
        command = [sys.executable, "-m", "newretail.cli", "worker"]
        with self._lock:
            if not self._stopping.is_set():
                self._process = subprocess.Popen(command, start_new_session=True)  # noqa: S603

    def _keep_alive(self) -> None:
        from newretail.observability import log

        while not self._stopping.is_set():
            process = self._process
            if process is None:
                return
            code = process.wait()
            if self._stopping.is_set():
                return
            log.error("worker_process_exited", pid=process.pid, returncode=code)
            self._stopping.wait(self.RESTART_DELAY_SECONDS)
            self._spawn()

    def stop(self, timeout: float = 15.0) -> None:
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@app.command()
def worker() -> None:
    """Run background work (outbox dispatch, webhook delivery, timed jobs) until stopped."""
    import signal

    from newretail.app import open_database
    from newretail.observability import configure_logging
    from newretail.worker import Worker

    settings = get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    runner = Worker(database=open_database(settings), settings=settings)
    signal.signal(signal.SIGTERM, lambda *_: runner.stop(timeout=0))
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        runner.stop(timeout=0)


@app.command("create-admin")
def create_admin(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    display_name: str = "Platform admin",
) -> None:
    """Create a platform admin account."""
    from pydantic import ValidationError

    from newretail.auth import service as auth_service
    from newretail.auth.schemas import StaffCreate
    from newretail.db import Database
    from newretail.kernel.errors import DomainError
    from newretail.kernel.scope import SYSTEM

    database = Database(get_settings().database_url)
    try:
        data = StaffCreate.model_validate(
            {
                "username": username,
                "display_name": display_name,
                "password": password,
                "roles": [{"role": "platform_admin"}],
            }
        )
        with database.transaction() as session:
            staff = auth_service.create_staff(session=session, scope=SYSTEM, data=data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        _fail(problems)
    except DomainError as exc:
        _fail(exc.detail)
    finally:
        database.dispose()
    console.print(f"[green]created platform admin {staff.username} (id {staff.id})[/green]")


def _fail(message: str) -> NoReturn:
    console.print(f"[red]{message}[/red]")
    raise typer.Exit(code=1)


@app.command()
def demo(
    database_file: Annotated[Path, typer.Option(help="SQLite file for the demo world.")] = Path(
        "var/demo.db"
    ),
    host: str = "127.0.0.1",
    port: int = 8000,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
    seed: int = 7,
) -> None:
    """Build the simulated demo world in a fresh SQLite file, print the logins and serve it."""
    import os

    from newretail import migrate as migrations
    from newretail.db import Database
    from newretail.simulate import demo as demo_world

    database_file.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database_file}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{database_file.resolve()}"
    os.environ["NEWRETAIL_DATABASE_URL"] = url
    get_settings.cache_clear()
    migrations.upgrade(url)
    database = Database(url)
    world = demo_world.build_world(database=database, seed=seed, console=console)
    sheets_folder = database_file.parent / demo_world.SHEETS_FOLDER
    sheets = demo_world.write_code_sheets(
        database=database,
        world=world,
        folder=sheets_folder,
        base_url=get_settings().public_base_url or f"http://{host}:{port}",
    )
    database.dispose()
    logins = demo_world.featured_logins(world)
    console.print(
        f"[green]wrote {len(sheets)} code sheets (A4 PDFs) to {sheets_folder}/[/green]"
        + (f", e.g. {sheets[0].name}" if sheets else "")
    )
    table = Table(title="demo logins")
    for column in ("role", "username", "password", "scope"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.role, login.username, login.password, login.scope)
    console.print(table)
    if serve_after:
        console.print(
            f"[bold green]serving http://{host}:{port}[/bold green] "
            f"(API docs at http://{host}:{port}/docs; Ctrl-C stops)"
        )
        serve(host=host, port=port, workers=1, with_worker=True)


if __name__ == "__main__":
    app()
