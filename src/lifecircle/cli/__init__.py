"""The ``lifecircle`` command line: parse arguments, call one library function, print the result.

Errors from lifecircle print as one line (plus the list of bad rows) and exit with status 1.
"""

from lifecircle.cli.main import main

__all__ = ["main"]
