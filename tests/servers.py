"""Serve an ASGI app over real HTTP from a background thread (re-exported for tests)."""

from devtools.sandbox.serving import ThreadedServer, free_port, serve_in_thread

__all__ = ["ThreadedServer", "free_port", "serve_in_thread"]
