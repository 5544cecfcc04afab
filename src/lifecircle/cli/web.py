"""``lifecircle serve``: run the web app (JSON API, resident page, staff pages) with uvicorn.

Parse options, build (or load) the results once, start uvicorn; no request logic here.
"""

from __future__ import annotations

import os
from typing import Any

import click

from lifecircle.cli.base import Context, handled
from lifecircle.config import Settings, proxy_networks
from lifecircle.i18n import t


def proxy_options(settings: Settings) -> dict[str, Any]:
    """Return uvicorn's options for forwarded headers: believed only from ``trusted_proxies``.

    uvicorn by default believes ``X-Forwarded-For`` from 127.0.0.1, so a client on the
    server's own machine (or behind an unconfigured proxy) could choose its address.

    >>> proxy_options(Settings())
    {'proxy_headers': False, 'forwarded_allow_ips': ''}
    >>> proxy_options(Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8"))
    {'proxy_headers': True, 'forwarded_allow_ips': '127.0.0.1,10.0.0.0/8'}
    """
    networks = [
        str(n).removesuffix("/32").removesuffix("/128")
        for n in proxy_networks(settings.trusted_proxies)
    ]
    return {"proxy_headers": bool(networks), "forwarded_allow_ips": ",".join(networks)}


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default: setting serve_host).")
@click.option(
    "--port", type=int, default=None, help="Port to listen on (default: setting serve_port)."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes (each holds the results in memory).",
)
@click.pass_obj
@handled
def serve_command(obj: Context, host: str | None, port: int | None, workers: int) -> None:
    """Serve the resident map page, the staff pages and the JSON API (docs at /docs)."""
    import uvicorn

    from lifecircle.api.app import PROJECT_ENV, create_app
    from lifecircle.jobs.build import build

    project = obj.project()
    lang = obj.language(project)
    host = host or project.settings.serve_host
    port = port or project.settings.serve_port
    obj.out.print(t("serve.building", lang), highlight=False)
    build(project)  # fills the cache, so every worker starts from it
    obj.out.print(t("serve.listening", lang, url=f"http://{host}:{port}/"), highlight=False)
    proxies = proxy_options(project.settings)
    if workers == 1:
        uvicorn.run(create_app(project), host=host, port=port, log_level="warning", **proxies)
        return
    os.environ[PROJECT_ENV] = str(project.root)
    for name, value in obj.overrides.items():  # --set reaches the workers as LIFECIRCLE_*
        os.environ[f"LIFECIRCLE_{name.upper()}"] = value
    uvicorn.run(
        "lifecircle.api.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        **proxies,
    )
