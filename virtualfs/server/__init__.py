"""The HTTP feature server (``virtualfs serve``): online features over HTTP, authenticated and observed.

Needs the ``server`` extra (starlette, uvicorn, orjson); see ``virtualfs.server.app.build_app``.
"""
