"""``python -m presence_cli`` runs the ``presence`` command."""

import sys

from presence_cli.main import main

sys.exit(main())
