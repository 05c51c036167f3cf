"""Hearth: a self-hosted social-media-marketing platform.

Importing this package does nothing on purpose (no settings read, no connections).
"""

__version__ = "0.1.0"
