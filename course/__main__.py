"""Student commands: ``python -m course check PATH.ipynb`` (see course.selfcheck)."""

import sys

from .cli import main

#: name: (module with add_arguments(parser) and run(args), one-line help)
COMMANDS = {
    "check": ("course.check", "run a notebook and give the grader's verdict on it"),
}

if __name__ == "__main__":
    sys.exit(main("python -m course", __doc__, COMMANDS, sys.argv[1:]))
