"""Errors a user can act on.

Each error carries an English message (logs, CLI) and a Chinese one (UI), and
both say what was wrong and what to do about it.
"""

from __future__ import annotations


class RagError(Exception):
    """Base class: ``str(err)`` is the English message, ``err.zh`` the Chinese one."""

    zh: str = "出现错误。"

    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(message)
        if zh is not None:
            self.zh = zh


class IndexMissingError(RagError):
    """No index has been built at the configured location."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"No index found at {where}. Run `rag index` first.",
            f"索引不存在（{where}），请先运行 rag index 建立索引。",
        )


class EmbedderMismatchError(RagError):
    """The index was built with a different embedder than the one configured."""

    def __init__(self, built_with: str, configured: str) -> None:
        super().__init__(
            f"The index was built with embedder '{built_with}' but the configured embedder is "
            f"'{configured}'. Run `rag index --rebuild` to re-index with the new embedder, "
            f"or set RAG_EMBEDDER back.",
            f"索引由嵌入模型“{built_with}”建立，与当前配置“{configured}”不一致，"
            f"请运行 rag index --rebuild 重新建立索引。",
        )


class EmptyQuestionError(RagError):
    """The question is empty or whitespace only."""

    def __init__(self) -> None:
        super().__init__("The question is empty. Type a question.", "问题为空，请输入问题。")


class InvalidTextError(RagError):
    """The question is not valid Unicode text (e.g. undecodable bytes from a terminal)."""

    def __init__(self) -> None:
        super().__init__("The question is not valid UTF-8 text. Retype it or check the terminal encoding.",
                         "问题含有无法识别的字符，请重新输入。")


class UnknownDocumentError(RagError):
    """A document filter names ids the index does not have."""

    def __init__(self, unknown: list[str], known: list[str]) -> None:
        super().__init__(
            f"Unknown document id(s): {', '.join(unknown)}. Known ids: {', '.join(known)}.",
            f"没有这些资料：{'、'.join(unknown)}。可选：{'、'.join(known)}。",
        )


class QuestionTooLongError(RagError):
    """The question exceeds the configured length limit."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(
            f"The question has {length} characters; the limit is {limit}. Shorten it.",
            f"问题过长（{length} 字），上限为 {limit} 字，请精简后再问。",
        )


class CorpusError(RagError):
    """The corpus folder is missing, empty or unreadable."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message, zh)


class BackendUnavailableError(RagError):
    """An optional backend's packages are not installed."""

    def __init__(self, backend: str, install: str) -> None:
        super().__init__(
            f"The '{backend}' backend needs extra packages. Install them with: {install}",
            f"“{backend}”后端缺少依赖，请先安装：{install}",
        )


class ConfigError(RagError):
    """A setting has a value we cannot use."""

    def __init__(self, message: str) -> None:
        super().__init__(message, f"配置有误：{message}")


class StoreUnavailableError(RagError):
    """The vector store (a Chroma server) cannot be reached."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(
            f"The vector store at {where} is unreachable ({detail}). Check that `chroma run` is up;"
            " requests will work again as soon as it is.",
            "向量库暂时无法连接，请稍后再试或联系管理员。",
        )


class BuildLockedError(RagError):
    """Another process is building the index in the same folder."""

    def __init__(self, holder: str) -> None:
        super().__init__(
            f"Another index build is running ({holder}). Wait for it to finish, or stop it, then retry.",
            "另一个索引构建正在进行，请等待其完成后再试。",
        )


class IndexDamagedError(RagError):
    """The index files exist but cannot be read."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(
            f"The index at {where} is damaged ({detail}). Run `rag index --rebuild`.",
            "索引文件已损坏，请管理员运行 rag index --rebuild 重新建立索引。",
        )


class FeedbackBusyError(RagError):
    """The feedback database stayed locked by another writer past the wait limit."""

    def __init__(self, waited: float) -> None:
        super().__init__(
            f"The feedback database is busy (locked for more than {waited:g} s); the rating was not "
            "saved. Send it again in a few seconds.",
            "反馈暂未保存（数据库繁忙），请稍后再提交一次。",
        )


class ExtractionError(CorpusError):
    """A document file cannot be turned into text (damaged, wrong format, no text);
    the file is skipped with this message and the other files still load."""

    def __init__(self, name: str, message: str, zh: str) -> None:
        super().__init__(f"{name}: {message}", f"{name}：{zh}")


class ScannedPdfError(ExtractionError):
    """A PDF whose pages are images only: there is no text to index without OCR."""

    def __init__(self, name: str, pages: int) -> None:
        super().__init__(
            name,
            f"this PDF has no text layer (scanned); OCR it first (e.g. `ocrmypdf in.pdf out.pdf`) and "
            f"put the OCR'd file in the corpus folder instead ({pages} page(s), none with text)",
            "此 PDF 没有文字层（扫描件），请先进行 OCR 文字识别，再把识别后的文件放入资料目录。",
        )


class ProtectedDocumentError(ExtractionError):
    """A document that cannot be opened without a password."""

    def __init__(self, name: str, kind: str, kind_zh: str) -> None:
        super().__init__(
            name,
            f"this {kind} is password-protected and cannot be opened without the password; "
            "save a copy without a password and put that in the corpus folder",
            f"此{kind_zh}文件设有打开密码，无法读取；请另存一份不带密码的副本放入资料目录。",
        )


class NoTextError(ExtractionError):
    """A document file that opens but holds no text."""

    def __init__(self, name: str, kind: str, kind_zh: str) -> None:
        super().__init__(
            name,
            f"no text found in this {kind}; check that the file is the document you meant to add",
            f"此{kind_zh}文件中没有可用的文字，请确认文件内容是否正确。",
        )


class DuplicateDocumentError(RagError):
    """The uploaded file is byte-for-byte a document the knowledge base already has."""

    def __init__(self, name: str, doc_id: str, existing: str) -> None:
        super().__init__(
            f"{name} is already in the knowledge base as {doc_id} ({existing}); nothing was added.",
            f"{name} 已在资料库中（编号 {doc_id}，文件 {existing}），未重复添加。",
        )


class UploadRejectedError(RagError):
    """An uploaded file or its metadata cannot be taken (type, size, name, fields)."""


class DamagedDocumentError(ExtractionError):
    """A document file its parser cannot read: damaged, truncated or another format."""

    def __init__(self, name: str, kind: str, kind_zh: str, detail: str, fix: str, fix_zh: str) -> None:
        super().__init__(
            name,
            f"cannot read this {kind}, it is damaged or not a {kind} ({detail}); {fix}",
            f"此{kind_zh}文件已损坏或格式不符，无法读取；{fix_zh}。",
        )


class ParserMissingError(ExtractionError):
    """The package that reads a document format is not installed."""

    def __init__(self, name: str, kind: str, package: str, cause: ImportError | None = None,
                 module: str = "") -> None:
        if cause is not None and cause.name != (module or package):
            # installed, but something it imports is missing or broken: say what, not "install it"
            super().__init__(
                name,
                f"reading {kind} files needs the {package} package, which is installed but failed "
                f"to import: {cause}",
                f"读取{kind}文件所需的 {package} 已安装但无法加载：{cause}",
            )
            return
        super().__init__(
            name,
            f"reading {kind} files needs the {package} package: pip install {package}",
            f"读取{kind}文件需要安装 {package}（pip install {package}）。",
        )
