"""Layer 0: writing and reading files safely. Every layer may import this package.

:func:`atomic_path` is the one way callsim writes a file: the content goes to a temporary file
in the target's folder, is flushed to disk, and is renamed over the target, so a reader never
sees a half-written file and a crash leaves the old file (or none) in place.
:func:`unwritable` checks an output path before any work starts; :func:`check_input_file`
checks an input (a regular file within a size limit) before anything opens it, so a FIFO never
blocks a command. :class:`OutputSet` gathers every output of one command, checks them all
before any work and writes them all or nothing.
"""

from callsim.files.atomic import atomic_path, write_bytes, write_text
from callsim.files.checks import unwritable
from callsim.files.outputs import OutputSet
from callsim.files.reading import InputFileError, check_input_file, read_text

__all__ = ["InputFileError", "OutputSet", "atomic_path", "check_input_file", "read_text",
           "unwritable",
           "write_bytes", "write_text"]
