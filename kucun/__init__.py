"""The `kucun` command line: one typer app whose subcommands reach every part."""
