"""HTTP API (FastAPI): the same pipeline as the CLI and the chat page.

REST (/api/ask, SSE /api/ask/stream, /api/documents, /api/feedback), health
(/healthz, /readyz), an OpenAI-compatible endpoint (/v1/chat/completions,
/v1/models) and an embeddable chat widget (/widget.js, /widget/demo).
Start with `rag serve`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
import time
from collections.abc import Iterator
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Depends, FastAPI, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi_offline import FastAPIOffline
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.errors import (
    BuildLockedError,
    DuplicateDocumentError,
    EmbedderMismatchError,
    EmptyQuestionError,
    ExtractionError,
    FeedbackBusyError,
    IndexDamagedError,
    IndexMissingError,
    QuestionTooLongError,
    RagError,
    StoreUnavailableError,
    UnknownDocumentError,
    UploadRejectedError,
)
from rag.feedback import FeedbackStore
from rag.ratelimit import LimiterUnavailableError, RateLimiter, make_limiter
from rag.schema import Answer, Turn
from rag.settings import Settings, load_settings, split_list

if TYPE_CHECKING:
    from rag.indexing import BuildReport

log = logging.getLogger(__name__)
MODEL_ID = "ningbo-champions-rag"


class ApiError(Exception):
    """An error answered as JSON with an HTTP status."""

    def __init__(self, status: int, code: str, message: str, zh: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.zh = status, code, message, zh or message


def _encodable(value: str) -> str:
    """Text that can be written as UTF-8 (a lone surrogate such as \\ud800 cannot)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text is not valid Unicode (lone surrogate)") from None
    return value


Text = Annotated[str, AfterValidator(_encodable)]
STRICT = ConfigDict(strict=True)  # "5" is not a number and true is not a top_k


class TurnIn(BaseModel):
    model_config = STRICT
    role: Literal["user", "assistant"]
    content: Text = Field(max_length=5_000)


class AskIn(BaseModel):
    model_config = STRICT
    question: Text
    history: list[TurnIn] = Field(default_factory=list, max_length=20)
    doc_ids: list[Text] | None = None
    top_k: int | None = Field(None, ge=1, le=20)


class FeedbackIn(BaseModel):
    model_config = STRICT
    question: Text = Field(max_length=5000)
    answer: Text = Field(max_length=20_000)
    rating: Literal[1, -1]
    comment: Text = Field("", max_length=2000)


class ChatMessage(BaseModel):
    model_config = STRICT
    role: str
    content: Text | list[dict[str, Any]] = Field("", max_length=20_000)


class ChatIn(BaseModel):
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=50)
    stream: bool = False


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn options: X-Forwarded-For is believed only from the proxies listed in
    RAG_TRUSTED_PROXIES (uvicorn would otherwise trust 127.0.0.1, so any local
    client could pick its own address and escape the per-address limits)."""
    trusted = split_list(settings.trusted_proxies)
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": ",".join(trusted) or ""}


class Service:
    """Holds the pipeline; loads it lazily and again after a failure (store back up)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pipe: Any = None
        self._built = ""
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self.keys = settings.key_set
        # counters shared by every worker: SQLite in the index folder, or Redis (RAG_REDIS_URL)
        self.limiter: RateLimiter = make_limiter(settings.redis_url.get_secret_value(), settings.index_dir)

    def pipeline(self) -> Any:
        if self._pipe is None:
            with self._lock:
                if self._pipe is None:
                    from rag.pipeline import Pipeline

                    try:
                        self._pipe = Pipeline.load(self.settings)
                    except IndexMissingError as exc:
                        raise ApiError(503, "index_missing", str(exc), exc.zh) from None
                    except IndexDamagedError as exc:
                        raise ApiError(503, "index_damaged", str(exc), exc.zh) from None
                    except StoreUnavailableError as exc:
                        raise ApiError(503, "store_unavailable", str(exc), exc.zh) from None
                    except EmbedderMismatchError as exc:
                        raise ApiError(503, "index_mismatch", str(exc), exc.zh) from None
                    self._built = self._pipe.info.tag
        elif time.monotonic() - self._checked > 5:  # pick up a rebuilt or updated index
            self._checked = time.monotonic()
            try:
                current = self._pipe.store.active_tag()
            except RagError:
                current = self._built
            if current != self._built:
                with self._lock:
                    self._pipe = None
                return self.pipeline()
        return self._pipe

    def reload(self) -> None:
        """Load the index anew on the next request (after a document was added or removed)."""
        with self._lock:
            self._pipe = None

    def check_rate(self, who: str) -> None:
        """Count one request by ``who`` (a key or ``addr:…``) in the shared limiter: 429 over
        RAG_RATE_LIMIT per minute, 503 when the counter store cannot be reached. The store
        sees a hash of ``who``, never an API key."""
        digest = hashlib.sha256(who.encode("utf-8", "surrogatepass")).hexdigest()
        try:
            allowed = self.limiter.hit(digest, self.settings.rate_limit, 60.0)
        except LimiterUnavailableError as exc:
            raise ApiError(503, "rate_limit_unavailable", str(exc), exc.zh) from None
        if not allowed:
            raise ApiError(429, "rate_limited", "Too many requests; wait a minute.",
                           "请求过于频繁，请稍后再试。")


def _error(status: int, code: str, message: str, zh: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "message_zh": zh}}, status_code=status)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI application (``settings`` default: from RAG_* env and .env)."""
    settings = settings or load_settings()
    svc = Service(settings)
    # Swagger UI and ReDoc served from a packaged copy (/docs, /redoc), not a public CDN:
    # an intranet without internet access still gets its API documentation
    app = FastAPIOffline(title="制造业冠军企业问答 API", version="1.0",
                         description="Cited answers over the Ningbo champion-company articles.")
    app.state.service = svc
    origins = split_list(settings.cors_origins)
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"])

    upload_limit = int(settings.max_doc_mb * 1e6) + 65_536  # one document and its form fields

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Response:
        size = request.headers.get("content-length")
        if request.method == "POST" and not (size and size.isdigit()):
            return _error(411, "length_required", "POST bodies need a Content-Length header.",
                          "请求缺少长度信息。")
        limit = upload_limit if request.url.path == "/api/documents" else settings.max_body_bytes
        if size and size.isdigit() and int(size) > limit:
            return _error(413, "body_too_large", f"Request body over {limit} bytes.",
                          "请求内容过大。")
        return await call_next(request)  # type: ignore[no-any-return]

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        retry = {"rate_limited": "60", "feedback_busy": "5"}.get(exc.code)
        headers = {"Retry-After": retry} if retry else None
        resp = _error(exc.status, exc.code, exc.message, exc.zh)
        if headers:
            resp.headers.update(headers)
        return resp

    @app.exception_handler(RagError)
    async def rag_error(_: Request, exc: RagError) -> JSONResponse:
        unavailable = StoreUnavailableError | IndexMissingError | IndexDamagedError | EmbedderMismatchError
        status = 503 if isinstance(exc, unavailable) else next(
            (code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 400)
        return _error(status, type(exc).__name__, str(exc), exc.zh)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        """Which field and why, never the rejected input itself."""
        problems = []
        for e in exc.errors()[:5]:
            where = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
            problems.append(f"{where}: {str(e.get('msg', 'invalid'))[:120]}")
        bad_json = any(e.get("type") == "json_invalid" for e in exc.errors())
        return _error(400 if bad_json else 422, "invalid_json" if bad_json else "invalid_request",
                      "; ".join(problems), "请求格式有误：" + "；".join(problems))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_request")
        return _error(exc.status_code, code, str(exc.detail)[:200], "请求有误。")

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("Unhandled error")
        return _error(500, "internal_error", "Internal error; see the server log.", "服务出现内部错误。")

    def auth(request: Request) -> str:
        who = request.client.host if request.client else "?"
        if svc.keys:
            header = request.headers.get("authorization", "")
            key = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
            if key not in svc.keys:
                svc.check_rate(f"addr:{who}")  # failed attempts are limited per address
                raise ApiError(401, "unauthorized", "Missing or wrong API key (Authorization: Bearer …).",
                               "缺少或错误的 API 密钥。")
            who = f"key:{key}"
        svc.check_rate(who)
        return who

    def admin(request: Request) -> str:
        """An administrator's request: a bearer key from RAG_ADMIN_KEYS (403 when none is set)."""
        keys = settings.admin_key_set
        if not keys:
            raise ApiError(403, "admin_disabled", "Document management is off; set RAG_ADMIN_KEYS to turn it on.",
                           "资料管理未开启（需设置 RAG_ADMIN_KEYS）。")
        header = request.headers.get("authorization", "")
        key = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        if key not in keys:
            svc.check_rate(f"addr:{request.client.host if request.client else '?'}")
            raise ApiError(401, "unauthorized", "Missing or wrong administrator key (Authorization: Bearer …).",
                           "缺少或错误的管理密钥。")
        svc.check_rate(f"admin:{key}")
        return key

    def run_ask(body: AskIn, on_token: Any = None) -> Answer:
        if len(body.question) > settings.max_question_chars:
            raise QuestionTooLongError(len(body.question), settings.max_question_chars)
        if not body.question.strip():
            raise EmptyQuestionError()
        pipe = svc.pipeline()
        unknown = [d for d in body.doc_ids or [] if d not in pipe.docs]
        if unknown:
            raise ApiError(400, "unknown_document", f"Unknown document id(s): {', '.join(unknown)}.",
                           "指定的资料不存在。")
        history = [Turn(t.role, t.content) for t in body.history]
        return pipe.ask(body.question, body.top_k, body.doc_ids, history=history,  # type: ignore[no-any-return]
                                  on_token=on_token)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        try:
            info = svc.pipeline().store.info()
        except (ApiError, RagError) as exc:
            return JSONResponse({"ready": False, "index": False, "store": False, "reason": str(exc)},
                                status_code=503)
        return JSONResponse({"ready": True, "index": True, "store": True, "chunks": info.n_chunks,
                             "embedder": info.embedder})

    @app.post("/api/ask")
    def ask(body: AskIn, _: str = Depends(auth)) -> dict[str, Any]:
        return run_ask(body).to_dict()

    @app.post("/api/search")
    def search(body: AskIn, _: str = Depends(auth)) -> list[dict[str, Any]]:
        """Retrieval only: ranked passages with their scores."""
        pipe = svc.pipeline()
        hits = pipe.search(body.question, body.top_k, body.doc_ids)
        return [h.to_dict(pipe.knowledge.metas.get(h.chunk.doc_id)) for h in hits]

    @app.get("/api/facts")
    def facts(q: str, limit: int = 20, _: str = Depends(auth)) -> list[dict[str, Any]]:
        """Rows of the figures table matching a question, best first, with their sources."""
        if not 1 <= limit <= 200:
            raise ApiError(400, "bad_request", "limit must be 1..200.", "limit 应在 1 到 200 之间。")
        return svc.pipeline().facts(q, limit)

    @app.post("/api/ask/stream")
    def ask_stream(body: AskIn, _: str = Depends(auth)) -> StreamingResponse:
        run_ask_checked = _prevalidate(body, settings)
        return StreamingResponse(_sse(lambda cb: run_ask_checked(run_ask, cb)),
                                 media_type="text/event-stream")

    @app.get("/api/documents")
    def documents(_: str = Depends(auth)) -> list[dict[str, Any]]:
        return [{"id": k, **d.meta.__dict__} for k, d in sorted(svc.pipeline().docs.items())]

    @app.get("/api/documents/{doc_id}")
    def document(doc_id: str, _: str = Depends(auth)) -> dict[str, Any]:
        doc = svc.pipeline().docs.get(doc_id)
        if doc is None:
            raise ApiError(404, "not_found", f"No document {doc_id!r}.", "没有这份资料。")
        return {"id": doc_id, **doc.meta.__dict__, "text": doc.text,
                "sections": [s.__dict__ for s in doc.sections]}

    @app.post("/api/documents", status_code=201)
    def add_document(file: UploadFile, title: Annotated[str, Form(max_length=300)] = "",
                     publisher: Annotated[str, Form(max_length=300)] = "",
                     author: Annotated[str, Form(max_length=300)] = "",
                     date: Annotated[str, Form(max_length=20)] = "",
                     home_city: Annotated[str, Form(max_length=50)] = "",
                     _: str = Depends(admin)) -> dict[str, Any]:
        """Add one document (multipart upload, administrator key) and update the index."""
        from rag.library import add_document

        data = file.file.read(upload_limit + 1)
        meta = {"title": title, "publisher": publisher, "author": author, "date": date, "home_city": home_city}
        done = add_document(settings, file.filename or "", data, meta)
        svc.reload()
        return {"id": done.doc_id, "file": done.file, "warnings": done.warnings, "warnings_zh": done.warnings_zh,
                "index": _summary(done.report)}

    @app.delete("/api/documents/{doc_id}")
    def remove_document(doc_id: str, _: str = Depends(admin)) -> dict[str, Any]:
        """Remove a document (its file moves to corpus/.removed/) and update the index."""
        from rag.library import remove_document

        try:
            done = remove_document(settings, doc_id)
        except UnknownDocumentError as exc:
            raise ApiError(404, "not_found", str(exc), exc.zh) from None
        svc.reload()
        return {"id": done.doc_id, "file": done.file, "index": _summary(done.report)}

    @app.post("/api/feedback")
    def feedback(body: FeedbackIn, _: str = Depends(auth)) -> dict[str, Any]:
        try:
            row = FeedbackStore(settings.feedback_db).add(Answer(body.question, body.answer), body.rating,
                                                          body.comment, {"source": "api"})
        except FeedbackBusyError as exc:  # 503 + Retry-After: the client knows to send it again
            raise ApiError(503, "feedback_busy", str(exc), exc.zh) from None
        return {"id": row}

    @app.get("/v1/models")
    def models(_: str = Depends(auth)) -> dict[str, Any]:
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0,
                                            "owned_by": "local"}]}

    @app.post("/v1/chat/completions", response_model=None)
    def chat(body: ChatIn, _: str = Depends(auth)) -> dict[str, Any] | StreamingResponse:
        texts = [(m.role, _content(m.content)) for m in body.messages]
        users = [t for r, t in texts if r == "user"]
        if not users:
            raise ApiError(400, "no_user_message", "messages needs a user message.", "缺少用户问题。")
        limit = settings.max_question_chars
        try:
            history = [TurnIn(role=r, content=t[:limit]) for r, t in texts[:-1]  # type: ignore[arg-type]
                       if r in ("user", "assistant")][-20:]
            ask_body = AskIn(question=users[-1], history=history, top_k=None)
        except ValidationError as exc:
            raise ApiError(400, "bad_messages", f"messages: {exc.errors()[0]['msg']}", "消息格式有误。") from None
        if body.stream:
            run = _prevalidate(ask_body, settings)
            return StreamingResponse(_openai_sse(lambda cb: run(run_ask, cb), body.model),
                                     media_type="text/event-stream")
        answer = run_ask(ask_body)
        return _completion(body.model, with_sources(answer))

    @app.get("/widget.js")
    def widget_js() -> Response:
        js = (resources.files("rag") / "static" / "widget.js").read_text(encoding="utf-8")
        return Response(js, media_type="application/javascript; charset=utf-8")

    @app.get("/widget/demo", response_class=HTMLResponse)
    def widget_demo() -> str:
        return (resources.files("rag") / "static" / "widget-demo.html").read_text(encoding="utf-8")

    return app


STATUS_OF: dict[type[RagError], int] = {DuplicateDocumentError: 409, BuildLockedError: 409,
                                        ExtractionError: 422, UploadRejectedError: 400}


def _summary(report: BuildReport) -> dict[str, Any]:
    return {"mode": report.mode, "chunks": report.info.n_chunks, "documents": report.info.n_docs,
            "version": report.info.tag, **report.counts}


def _content(content: str | list[dict[str, Any]]) -> str:
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if part.get("type") == "text")


def _prevalidate(body: AskIn, settings: Settings) -> Any:
    """Validate before the stream starts, so bad input gets a JSON error, not a broken stream."""
    if not body.question.strip():
        raise EmptyQuestionError()
    if len(body.question) > settings.max_question_chars:
        raise QuestionTooLongError(len(body.question), settings.max_question_chars)

    def run(run_ask: Any, on_token: Any) -> Answer:
        return run_ask(body, on_token)  # type: ignore[no-any-return]

    return run


def _produce(run: Any) -> Iterator[tuple[str, Any]]:
    """Run the answer in a thread; yield ("token", text) pieces, then ("answer"|"error", …)."""
    q: queue.Queue[tuple[str, Any]] = queue.Queue()

    def work() -> None:
        try:
            q.put(("answer", run(lambda t: q.put(("token", t)))))
        except ApiError as exc:
            q.put(("error", {"code": exc.code, "message": exc.message, "message_zh": exc.zh}))
        except RagError as exc:
            q.put(("error", {"code": type(exc).__name__, "message": str(exc), "message_zh": exc.zh}))
        except Exception:  # noqa: BLE001 - reported as an error event, no traceback
            log.exception("Unhandled error in stream")
            q.put(("error", {"code": "internal_error", "message": "Internal error.", "message_zh": "服务出现内部错误。"}))

    threading.Thread(target=work, daemon=True).start()
    while True:
        kind, value = q.get()
        yield kind, value
        if kind != "token":
            return


def _sse(run: Any) -> Iterator[str]:
    for kind, value in _produce(run):
        data = value.to_dict() if kind == "answer" else ({"text": value} if kind == "token" else value)
        yield f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
    yield "event: done\ndata: {}\n\n"


def with_sources(answer: Answer) -> str:
    """Answer text followed by a readable source list (for chat front-ends)."""
    lines = [answer.notice, answer.text] if answer.notice else [answer.text]
    if answer.citations:
        lines.append("\n来源：" if not answer.refused else "\n最接近的段落：")
        lines += [f"[{c.n}] 《{c.title}》{c.publisher}，{c.date}：“{c.quote}”{c.note}" for c in answer.citations]
    if answer.unverified_numbers:
        lines.append("（未在所引资料中核实的数字：" + "、".join(answer.unverified_numbers) + "）")
    return "\n".join(lines)


def _completion(model: str, text: str) -> dict[str, Any]:
    return {"id": f"chatcmpl-{int(time.time() * 1000)}", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}


def _chunk(model: str, delta: dict[str, str], finish: str | None = None) -> str:
    data = {"id": "chatcmpl-stream", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def _openai_sse(run: Any, model: str) -> Iterator[str]:
    yield _chunk(model, {"role": "assistant", "content": ""})
    streamed = ""
    for kind, value in _produce(run):
        if kind == "token":
            streamed += value
            yield _chunk(model, {"content": value})
        elif kind == "answer":
            full = with_sources(value)
            # the checked answer may differ from the raw stream: send what is missing
            tail = full[len(streamed):] if full.startswith(streamed) else "\n\n" + full
            yield _chunk(model, {"content": tail})
        else:
            yield _chunk(model, {"content": f"\n\n{value['message_zh']}"})
    yield _chunk(model, {}, "stop")
    yield "data: [DONE]\n\n"
