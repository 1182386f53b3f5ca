"""`python -m node` is the `kith` command."""

from node.cli import main

raise SystemExit(main())
