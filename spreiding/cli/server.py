"""``serve`` the HTTP API."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from spreiding.cli import workers as worker_processes
from spreiding.cli.common import database, err, out
from spreiding.render.i18n import N_, _

APP = "api.main:app_from_settings"


def serve(
    host: Annotated[str, typer.Option(help=N_("Address to listen on."))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=N_("Port to listen on."))] = 8000,
    workers: Annotated[int, typer.Option(min=1, help=N_("Worker processes."))] = 1,
) -> None:
    """Serve the HTTP API (uvicorn) on the configured database."""
    import uvicorn

    with database():
        pass  # the schema is brought up to date once, before the workers start
    options: dict[str, Any] = {"factory": True, "host": host, "port": port, "workers": workers}
    config = uvicorn.Config(APP, log_level="warning", **options)
    sockets = []
    if workers > 1 and worker_processes.supported():
        try:  # bound here, before the message: an address in use is told instead
            sockets = worker_processes.listening_sockets(host, port, workers, config.backlog)
        except OSError as exc:
            message = _("cannot listen on {host} port {port}: {reason}")
            err.print(message.format(host=host, port=port, reason=exc.strerror), markup=False)
            raise typer.Exit(1) from None
        port = sockets[0].getsockname()[1]
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL has brackets
    message = _(
        "serving the API at http://{host}:{port} (OpenAPI: http://{host}:{port}/docs); Ctrl+C stops"
    )
    out.print(message.format(host=shown, port=port), markup=False)
    if not sockets:  # one worker, or no SO_REUSEPORT: uvicorn's own way
        uvicorn.run(APP, log_level="warning", **options)
        return
    try:
        worker_processes.serve(config, sockets)
    except worker_processes.WorkerFailed:
        err.print(_("a worker stopped before it served: the API could not start"), markup=False)
        raise typer.Exit(1) from None
