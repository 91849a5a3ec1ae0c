"""Student commands: ``python -m course check PATH.ipynb`` (see course.selfcheck)."""

import sys

from .selfcheck import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
