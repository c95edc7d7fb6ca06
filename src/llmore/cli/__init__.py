"""The ``llmore`` command line: thin typer commands that call services and print with rich."""
