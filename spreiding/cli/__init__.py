"""The ``spreiding`` command: the composition root that wires the layers together.

It may import ``spreiding``, ``settlement`` and ``api``; nothing imports it.
"""

from __future__ import annotations

import typer

from spreiding.cli import data, demo, keys, runs, server, settle, volumes

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
# Registered in the order ``spreiding --help`` lists them.
app.command()(data.validate)
app.command("init-db")(data.init_db)
app.command("import")(data.import_)
app.command()(demo.demo)
app.command("settle")(settle.settle_)
app.command("audit")(settle.audit_)
app.command("volumes")(volumes.volumes_)
app.add_typer(runs.runs_app, name="runs")
app.command()(server.serve)
app.add_typer(keys.keys_app, name="keys")
