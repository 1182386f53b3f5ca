"""The limits on uploads, in one light module (the command line reads them at start-up
without loading Pillow)."""

MAX_ATTACHMENTS = 4  # images per post
MAX_BYTES = 16 * 1024 * 1024  # per file, as Mastodon's image limit
