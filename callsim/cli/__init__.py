"""Layer 7, the command line: thin Typer commands over library functions.

Run as the ``callsim`` program, a Ctrl-C while the command's modules are still being imported
ends it at once with exit code 130 and one line (:mod:`callsim.cli.interrupts`), instead of a
``KeyboardInterrupt`` traceback from deep inside an import.
"""

from callsim.cli.interrupts import quiet_while_starting

quiet_while_starting()
