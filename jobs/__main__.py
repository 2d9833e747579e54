"""`python -m jobs`: see jobs/cli.py."""

import os
import sys

from jobs.cli import main

if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        # `python -m jobs metadata *.jpg | head`: the reader left; that is not an error.
        # Point stdout at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
