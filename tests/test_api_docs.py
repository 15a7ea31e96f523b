"""The API's own documentation works offline: /docs and /redoc load their scripts
and styles from the server itself, never from a public CDN (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import re

import httpx

from .test_api import serve


def test_docs_pages_need_nothing_from_outside(built_settings, tmp_path):
    settings = built_settings.model_copy(update={"feedback_db": tmp_path / "fb.sqlite3"})
    with serve(settings) as url:
        for page in ("/docs", "/redoc"):
            html = httpx.get(url + page).text
            assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
            assert assets, page
            for asset in assets:
                assert not asset.startswith(("http://", "https://", "//")), asset
                assert httpx.get(url + asset).status_code == 200, asset
        assert httpx.get(url + "/openapi.json").json()["info"]["title"]
