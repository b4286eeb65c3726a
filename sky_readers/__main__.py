"""Entry point of `python -m sky_readers`."""

from sky_readers.cli.main import main

raise SystemExit(main())
