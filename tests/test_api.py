"""The HTTP API over real HTTP on 127.0.0.1 (uvicorn started and stopped here),
the official openai client against it, and Chroma server mode with a real
`chroma run` that is stopped and restarted mid-test."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from rag.api import create_app, server_options
from rag.indexing import build_index
from rag.ratelimit import SqliteLimiter

from .conftest import CORPUS


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(settings):
    port = _port()
    app = create_app(settings)
    counters = tempfile.mkdtemp(prefix="ratelimit-")
    if isinstance(app.state.service.limiter, SqliteLimiter):  # each test server counts afresh, not in the session index
        app.state.service.limiter = SqliteLimiter(Path(counters) / "ratelimit.sqlite3")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", **server_options(settings)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        shutil.rmtree(counters, ignore_errors=True)


@pytest.fixture(scope="module")
def open_api(built_settings, tmp_path_factory):
    settings = built_settings.model_copy(update={
        "feedback_db": tmp_path_factory.mktemp("fb") / "fb.sqlite3",
        "cors_origins": "http://portal.intranet"})
    with serve(settings) as url:
        yield url, settings


def test_ask_documents_feedback_health(open_api):
    url, settings = open_api
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{url}/readyz")
    assert ready.status_code == 200 and ready.json()["store"] is True
    r = httpx.post(f"{url}/api/ask", json={"question": "天生密封件公司创建于哪一年？"}, timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert "1998年12月" in body["text"] and body["citations"][0]["title"]
    docs = httpx.get(f"{url}/api/documents").json()
    assert len(docs) == 5 and {"id", "title", "date", "home_city"} <= set(docs[0])
    doc = httpx.get(f"{url}/api/documents/004_5fdd652ecef025e0").json()
    assert "我市" in doc["text"] and doc["home_city"] == "苏州"
    missing = httpx.get(f"{url}/api/documents/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    fb = httpx.post(f"{url}/api/feedback", json={"question": "q", "answer": "a", "rating": -1, "comment": "不对"})
    assert fb.status_code == 200 and fb.json()["id"] >= 1
    assert "/api/ask" in httpx.get(f"{url}/openapi.json").json()["paths"]
    hits = httpx.post(f"{url}/api/search", json={"question": "旭升集团 墨西哥", "top_k": 2}).json()
    assert len(hits) == 2 and "25名" in hits[0]["text"] and hits[0]["rank"] == 1


def test_filters_history_and_top_k(open_api):
    url, _ = open_api
    r = httpx.post(f"{url}/api/ask", timeout=30, json={
        "question": "那苏州呢？", "top_k": 3, "doc_ids": ["004_5fdd652ecef025e0"],
        "history": [{"role": "user", "content": "宁波有多少家国家级专精特新小巨人企业？"},
                    {"role": "assistant", "content": "283家。"}]})
    body = r.json()
    assert "172家" in body["text"] and len(body["hits"]) <= 3
    assert all(c["doc_id"] == "004_5fdd652ecef025e0" for c in body["citations"])


def test_limits_and_errors_are_json(open_api):
    url, settings = open_api
    too_long = httpx.post(f"{url}/api/ask", json={"question": "长" * 2001})
    assert too_long.status_code == 400 and "2000" in too_long.json()["error"]["message"]
    empty = httpx.post(f"{url}/api/ask", json={"question": "  "})
    assert empty.status_code == 400 and empty.json()["error"]["message_zh"]
    huge = httpx.post(f"{url}/api/ask", content=b"{" + b" " * (settings.max_body_bytes + 10) + b"}",
                      headers={"content-type": "application/json"})
    assert huge.status_code == 413
    bad = httpx.post(f"{url}/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_json" and "Traceback" not in bad.text


def test_cors_allowlist(open_api):
    url, _ = open_api
    pre = {"Access-Control-Request-Method": "POST"}
    ok = httpx.options(f"{url}/api/ask", headers={"Origin": "http://portal.intranet", **pre})
    assert ok.headers.get("access-control-allow-origin") == "http://portal.intranet"
    no = httpx.options(f"{url}/api/ask", headers={"Origin": "http://evil.example", **pre})
    assert "access-control-allow-origin" not in no.headers


def test_sse_stream(open_api):
    url, _ = open_api
    events = []
    with httpx.stream("POST", f"{url}/api/ask/stream", json={"question": "旭升集团派往墨西哥的技术骨干有多少人？"},
                      timeout=30) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            if line.startswith("event: "):
                events.append(line[7:])
            elif line.startswith("data: ") and events[-1] == "answer":
                answer = json.loads(line[6:])
    assert events[0] == "token" and events[-2:] == ["answer", "done"]
    assert "25名" in answer["text"]


def test_openai_client(open_api):
    openai = pytest.importorskip("openai")
    url, _ = open_api
    client = openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
    assert [m.id for m in client.models.list()] == ["ningbo-champions-rag"]
    reply = client.chat.completions.create(model="ningbo-champions-rag", messages=[
        {"role": "user", "content": "天生密封件公司创建于哪一年？"}])
    text = reply.choices[0].message.content
    assert "1998年12月" in text and "来源" in text and "浙江万里学院" in text
    stream = client.chat.completions.create(model="ningbo-champions-rag", stream=True, messages=[
        {"role": "user", "content": "宁波有多少家国家级专精特新小巨人企业？"},
        {"role": "assistant", "content": "……"}, {"role": "user", "content": "那苏州呢？"}])
    streamed = "".join(c.choices[0].delta.content or "" for c in stream)
    assert "172家" in streamed and "来源" in streamed


def test_auth_and_rate_limit(built_settings):
    settings = built_settings.model_copy(update={"api_keys": "k1,k2", "rate_limit": 3})
    with serve(settings) as url:
        q = {"question": "天生密封件公司创建于哪一年？"}
        no = httpx.post(f"{url}/api/ask", json=q)
        assert no.status_code == 401 and no.json()["error"]["code"] == "unauthorized"
        wrong = httpx.post(f"{url}/api/ask", json=q, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        codes = [httpx.post(f"{url}/api/ask", json=q, timeout=30,
                            headers={"Authorization": "Bearer k1"}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        other = httpx.post(f"{url}/api/ask", json=q, timeout=30, headers={"Authorization": "Bearer k2"})
        assert other.status_code == 200  # limits are per key
        assert httpx.get(f"{url}/healthz").status_code == 200  # health needs no key


def test_serve_refuses_public_bind_without_keys(built_settings):
    from typer.testing import CliRunner

    from rag.cli import app

    result = CliRunner().invoke(app, ["--index-dir", str(built_settings.index_dir), "serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "API keys" in result.output


def _chroma(path: Path, port: int) -> subprocess.Popen:
    exe = shutil.which("chroma") or str(Path(__import__("sys").executable).parent / "chroma")
    proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("chroma run did not start")


def _indexed_on_a_chroma_server(built_settings, tmp_path: Path, **extra):  # type: ignore[no-untyped-def]
    """A `chroma run` on a free loopback port with the corpus indexed into it
    (as `rag index` does): (process, settings, port)."""
    port = _port()
    proc = _chroma(tmp_path / "chroma-data", port)
    try:
        settings = built_settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": port,
                                                     "corpus_dir": CORPUS, **extra})
        build_index(settings)
    except BaseException:
        proc.terminate()
        raise
    return proc, settings, port


@pytest.mark.integration
def test_chroma_server_mode_survives_restart(built_settings, tmp_path):
    proc, settings, port = _indexed_on_a_chroma_server(built_settings, tmp_path)
    try:
        with serve(settings) as url:
            q = {"question": "天生密封件公司创建于哪一年？"}
            assert httpx.post(f"{url}/api/ask", json=q, timeout=30).status_code == 200
            proc.terminate()
            proc.wait(timeout=20)
            down = httpx.post(f"{url}/api/ask", json=q, timeout=30)
            assert down.status_code == 503 and down.json()["error"]["message_zh"]
            assert httpx.get(f"{url}/readyz", timeout=30).status_code == 503
            proc = _chroma(tmp_path / "chroma-data", port)
            back = httpx.post(f"{url}/api/ask", json=q, timeout=30)
            assert back.status_code == 200 and "1998年12月" in back.json()["text"]
            assert httpx.get(f"{url}/readyz", timeout=30).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.integration
def test_rag_index_and_two_workers_share_a_chroma_server(tmp_path):
    """`rag index` writes to the Chroma server; `rag serve --workers 2` answers from it."""
    import os
    import sys

    chroma_port, api_port = _port(), _port()
    proc = _chroma(tmp_path / "chroma-data", chroma_port)
    env = {**os.environ, "RAG_CHROMA_HOST": "127.0.0.1", "RAG_CHROMA_PORT": str(chroma_port),
           "RAG_CORPUS_DIR": str(CORPUS), "RAG_INDEX_DIR": str(tmp_path / "unused")}
    rag = str(Path(sys.executable).parent / "rag")
    api = None
    try:
        built = subprocess.run([rag, "index"], env=env, capture_output=True, text=True, timeout=300)
        assert built.returncode == 0 and "Indexed" in built.stdout, built.stderr
        # no vectors locally: only the build cache (embeddings and tokens for the next update)
        assert not (tmp_path / "unused" / "chroma").exists()
        api = subprocess.Popen([rag, "serve", "--port", str(api_port), "--workers", "2"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{api_port}"
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        answers = [httpx.post(f"{url}/api/ask", json={"question": "旭升集团派往墨西哥的技术骨干有多少人？"},
                              timeout=60) for _ in range(6)]
        assert all(r.status_code == 200 and "25名" in r.json()["text"] for r in answers)
    finally:
        if api is not None:
            api.terminate()
            api.wait(timeout=30)
        proc.terminate()
        proc.wait(timeout=20)


def test_odd_input_gets_4xx_not_500(open_api):
    url, _ = open_api
    long_chat = {"model": "m", "messages": [{"role": "user", "content": "宁" * 15_000}] + [
        {"role": "assistant" if i % 2 else "user", "content": "好"} for i in range(30)] + [
        {"role": "user", "content": "天生密封件公司创建于哪一年？"}]}
    r = httpx.post(f"{url}/v1/chat/completions", json=long_chat, timeout=30)
    assert r.status_code == 200, r.text  # long history is clipped, not a 500
    assert "1998年12月" in r.json()["choices"][0]["message"]["content"]
    unknown = httpx.post(f"{url}/api/ask", json={"question": "宁波", "doc_ids": ["nope"]})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_document"

    def chunks():
        yield b'{"question": "'
        yield "宁".encode() * 30_000
        yield b'"}'

    chunked = httpx.post(f"{url}/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert chunked.status_code == 411


def test_wrong_keys_are_rate_limited(built_settings):
    settings = built_settings.model_copy(update={"api_keys": "k1", "rate_limit": 3})
    with serve(settings) as url:
        codes = [httpx.post(f"{url}/api/ask", json={"question": "x"},
                            headers={"Authorization": f"Bearer guess{i}"}).status_code for i in range(5)]
        assert codes[:3] == [401, 401, 401] and codes[-1] == 429


def test_api_picks_up_a_rebuilt_index(tiny_corpus, tmp_path, monkeypatch):
    from rag.settings import load_settings

    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    build_index(settings)
    with serve(settings) as url:
        first = httpx.get(f"{url}/readyz").json()["chunks"]
        (tiny_corpus / "c.txt").write_text("# 丙公司\n\n丙公司成立于2010年，生产精密模具。\n", encoding="utf-8")
        build_index(settings)
        monkeypatch.setattr(time, "monotonic", lambda: 1e12)  # skip the 5-second re-check interval
        docs = httpx.get(f"{url}/api/documents").json()
        assert {d["id"] for d in docs} == {"a", "b", "c"}
        assert httpx.get(f"{url}/readyz").json()["chunks"] > first


def test_facts_endpoint(open_api):
    url, _ = open_api
    rows = httpx.get(f"{url}/api/facts", params={"q": "宁波小巨人企业有多少家", "limit": 5}, timeout=30).json()
    assert len(rows) <= 5 and any(r["shown"] == "418家" and r["as_of_label"] == "2024年12月" for r in rows)
    assert httpx.get(f"{url}/api/facts", params={"q": "x", "limit": 0}).status_code == 400
    assert httpx.get(f"{url}/api/facts", params={"q": " "}).status_code == 400


@pytest.mark.parametrize("keys", [" , ", ",,", "   "])
def test_blank_keys_do_not_switch_auth_off(built_settings, keys, monkeypatch):
    from typer.testing import CliRunner

    from rag.cli import app
    from rag.errors import ConfigError
    from rag.settings import load_settings

    if keys.strip():
        with pytest.raises(ConfigError, match="holds no key"):
            load_settings(api_keys=keys)
    with pytest.raises(ConfigError, match="shorter than 16"):
        load_settings(api_keys="short,also-short")
    monkeypatch.setenv("RAG_API_KEYS", keys)
    result = CliRunner().invoke(app, ["--index-dir", str(built_settings.index_dir), "serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2  # refused: no usable key for a public bind


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(built_settings):
    settings = built_settings.model_copy(update={"api_keys": "k1" * 8, "rate_limit": 3})
    with serve(settings) as url:
        codes = [httpx.post(f"{url}/api/ask", json={"question": "x"},
                            headers={"Authorization": f"Bearer guess{i}", "X-Forwarded-For": f"10.0.0.{i}"}
                            ).status_code for i in range(5)]
        assert codes[:3] == [401, 401, 401] and codes[-1] == 429  # rotating the header does not help
    trusted = settings.model_copy(update={"trusted_proxies": "127.0.0.1"})
    with serve(trusted) as url:
        codes = [httpx.post(f"{url}/api/ask", json={"question": "x"},
                            headers={"Authorization": "Bearer wrong", "X-Forwarded-For": f"10.0.0.{i}"}
                            ).status_code for i in range(5)]
        assert codes == [401] * 5  # behind a trusted proxy each client address has its own limit


def test_bad_bodies_get_the_documented_error_shape(open_api):
    """Issue 10 items 5-8: lone surrogates, invalid UTF-8, deep nesting and loose types
    give 4xx in the one error shape, echo nothing back, and keep the connection usable."""
    url, _ = open_api
    headers = {"Content-Type": "application/json"}
    with httpx.Client(timeout=30) as client:  # one keep-alive connection for all requests
        for path in ("/api/ask", "/api/search"):
            r = client.post(f"{url}{path}", content=b'{"question":"\\ud800abc"}', headers=headers)
            assert r.status_code in (400, 422) and "error" in r.json() and "ud800" not in r.text
        chat = client.post(f"{url}/v1/chat/completions", headers=headers,
                           content=b'{"messages":[{"role":"user","content":"\\ud800"}]}')
        assert chat.status_code in (400, 422) and "error" in chat.json()
        r = client.post(f"{url}/api/ask", content=b'{"question": "\xff\xfe"}', headers=headers)
        assert r.status_code == 400 and r.json()["error"]["code"] in ("invalid_json", "bad_request")
        deep = b'{"question":' + b"[" * 5000 + b"]" * 5000 + b"}"
        r = client.post(f"{url}/api/ask", content=deep, headers=headers)
        assert 400 <= r.status_code < 500 and "error" in r.json()
        for top_k in ('"5"', "true"):
            r = client.post(f"{url}/api/ask", headers=headers,
                            content=b'{"question":"q","top_k":' + top_k.encode() + b"}")
            assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
            assert "top_k" in r.json()["error"]["message"]
        secret = "我的秘密问题" * 3
        r = client.post(f"{url}/api/ask", json={"question": secret, "top_k": 999})
        assert r.status_code == 422 and secret not in r.text
        ok = client.post(f"{url}/api/ask", json={"question": "天生密封件公司创建于哪一年？"})
        assert ok.status_code == 200 and "1998年12月" in ok.json()["text"]  # connection still fine


@pytest.mark.integration
def test_a_hung_chroma_server_gives_503_in_seconds_not_a_hang(built_settings, tmp_path):
    """The Chroma server stopped with SIGSTOP (it accepts connections, never answers)."""
    import signal

    proc, settings, _ = _indexed_on_a_chroma_server(built_settings, tmp_path, store_timeout=2.0,
                                                    feedback_db=tmp_path / "fb.sqlite3")
    try:
        with serve(settings) as url:
            q = {"question": "天生密封件公司创建于哪一年？"}
            assert httpx.post(f"{url}/api/ask", json=q, timeout=30).status_code == 200
            proc.send_signal(signal.SIGSTOP)
            for call in (lambda: httpx.get(f"{url}/readyz", timeout=30),
                         lambda: httpx.post(f"{url}/api/ask", json={"question": "旭升集团在哪里建厂？"},
                                            timeout=30)):
                started = time.monotonic()
                response = call()
                assert response.status_code == 503, response.text
                assert time.monotonic() - started < 15
            proc.send_signal(signal.SIGCONT)
            assert httpx.post(f"{url}/api/ask", json=q, timeout=30).status_code == 200
    finally:
        proc.send_signal(signal.SIGCONT)
        proc.terminate()
        proc.wait(timeout=20)
