"""`python -m movierec.cli`: the `movierec` command."""

import sys

from movierec.cli import main

sys.exit(main())
