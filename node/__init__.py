"""Kith's web node: the app, domain models, pages, feeds and command line.

`node` depends on `federation`, never the other way round.
"""

__version__ = "0.1.0"
