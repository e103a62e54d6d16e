"""Layer 7, the command line: thin Typer commands over library functions."""
