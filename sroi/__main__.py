"""``python -m sroi`` runs the command line."""

import sys

from sroi.cli import main

sys.exit(main())
