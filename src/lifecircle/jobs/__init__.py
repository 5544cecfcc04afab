"""Use cases the faces call: build, imports, local edits, checks, status, history, reports, demo.

Each job reads the project's store, calls the engine or the readers, and returns values or
writes one data version; the CLI and the web app only parse, call one job and render.
"""
