"""``python -m callsim`` runs the command-line tool."""

from callsim.cli.app import main

main()
