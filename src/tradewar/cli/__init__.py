"""The command line: Typer commands over the public Python API."""
