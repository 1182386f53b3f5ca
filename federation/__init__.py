"""ActivityPub for Kith: the protocol as functions (pure core) and its I/O ring.

Nothing in this package imports Quart, Jinja2 or `node`; `node` depends on it.
"""
