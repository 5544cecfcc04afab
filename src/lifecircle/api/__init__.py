"""The web face: FastAPI app factory, JSON API routers and the pages they serve.

Thin handlers only — parse, call one library function, render; no engine code lives here.
"""
