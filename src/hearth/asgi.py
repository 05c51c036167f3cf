"""The ASGI entry point: Django, plus the two things Django's handler does not do.

- Lifespan: Django's ASGI handler refuses the ``lifespan`` scope, so uvicorn's graceful stop
  (SIGTERM, Ctrl-C) would end without a shutdown hook. This wrapper answers it and, on
  shutdown, writes the buffered link clicks (``hearth.links.buffer.flush_all``).
- The short-link fast path: a cached ``/r/<code>`` is answered before Django's middleware
  (``hearth.links.redirector.serve_cached``); everything else goes to Django.
"""

import asyncio
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
django_application = get_asgi_application()

from hearth.links.buffer import flush_all  # noqa: E402  (needs Django set up)
from hearth.links.redirector import serve_cached  # noqa: E402


async def _lifespan(receive, send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            # The ORM refuses to run on the event loop's thread; a worker thread may.
            await asyncio.to_thread(flush_all)
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    if scope["type"] == "http" and await serve_cached(scope, receive, send):
        return
    await django_application(scope, receive, send)
