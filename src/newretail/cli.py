"""The ``newretail`` command: serve, worker, migrate, demo, create-admin, catalog, codes."""

import errno
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from newretail.catalog import cli as catalog_cli
from newretail.config import get_settings
from newretail.touchpoints import cli as touchpoints_cli

if TYPE_CHECKING:
    import socket

    from newretail.simulate.demo_files import DemoLogin

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

    from newretail.observability import configure_logging
    from newretail.worker import Worker, open_database

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
    rebuild: Annotated[
        bool, typer.Option(help="Build the world afresh even when the file holds one.")
    ] = False,
) -> None:
    """Serve the simulated demo world, building it first unless the file already holds it."""
    import os

    from newretail import migrate as migrations
    from newretail.db import Database
    from newretail.simulate import demo as demo_world
    from newretail.simulate import demo_files

    # Claimed before the minute-long build and held until uvicorn serves on it.
    listener = _claim_port(host, port) if serve_after else None
    url = f"sqlite:///{database_file.resolve()}"
    os.environ["NEWRETAIL_DATABASE_URL"] = url
    os.environ.setdefault("NEWRETAIL_LOG_JSON", "false")
    get_settings.cache_clear()
    schema = migrations.head()
    record = None if rebuild else demo_files.reusable(database_file, seed=seed, schema=schema)
    if record is None:
        database_file.parent.mkdir(parents=True, exist_ok=True)
        demo_files.remove(database_file)
        migrations.upgrade(url)
        database = Database(url)
        world = demo_world.build_world(database=database, seed=seed, console=console)
        record = demo_files.BuildRecord(seed, schema, tuple(demo_world.featured_logins(world)))
    else:
        console.print(
            f"[green]serving the demo world already in {database_file}[/green] "
            "(make demo REBUILD=1, or --rebuild, builds it afresh)"
        )
        database = Database(url)
    base_url = get_settings().public_base_url or demo_files.served_url(host, port)
    sheets_folder = database_file.parent / demo_world.SHEETS_FOLDER
    if record.sheets_base_url != base_url or not any(sheets_folder.glob("*.pdf")):
        sheets = demo_world.write_code_sheets(
            database=database, folder=sheets_folder, base_url=base_url
        )
        console.print(f"[green]wrote {len(sheets)} code sheets for {base_url}[/green]")
        record = record.with_sheets_for(base_url)
    demo_files.save_record(database_file, record)
    database.dispose()
    console.print(f"code sheets (A4 PDFs): {sheets_folder}/")
    _print_logins(record.logins)
    if listener is not None:
        console.print(
            f"[bold green]serving {base_url}[/bold green] "
            f"(API docs at {base_url}/docs; Ctrl-C stops)"
        )
        _serve_demo(listener)


def _claim_port(host: str, port: int) -> "socket.socket":
    """A socket bound to ``host:port``, or a one-line message and exit status 1."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc})"
        # One plain line on stderr (no rich wrapping): the whole message, whatever the width.
        typer.echo(
            f"port {port} on {host} {reason}: stop what runs there or choose another port, "
            f"e.g. make demo PORT={port + 1}",
            err=True,
        )
        raise typer.Exit(code=1) from exc
    return listener


def _print_logins(logins: "Iterable[DemoLogin]") -> None:
    table = Table(title="demo logins")
    for column in ("role", "username", "password", "scope"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.role, login.username, login.password, login.scope)
    console.print(table)


def _serve_demo(listener: "socket.socket") -> None:
    """Serve on the claimed socket; one-time codes go to the sign-in page's sandbox box."""
    import uvicorn

    from newretail.app import create_app, ready_to_serve
    from newretail.notify import service as notify_service

    application = ready_to_serve(create_app(run_worker=True))
    application.state.otp_sender = notify_service.NotifierOtpSender(
        database=application.state.database,
        settings=application.state.settings,
        shows_sandbox_codes=True,
    )
    config = uvicorn.Config(application, log_config=None, access_log=False)
    uvicorn.Server(config).run(sockets=[listener])


if __name__ == "__main__":
    app()
