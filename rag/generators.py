"""LLM backends: one small protocol, built-ins registered by name.

- ``openai``: any OpenAI-compatible chat endpoint (vLLM, Ollama, Xinference,
  LM Studio, hosted Qwen or DeepSeek) through langchain-openai.
- ``transformers``: a local causal LM by Hub name or folder (e.g.
  Qwen2.5-1.5B-Instruct), CPU or GPU, streamed with TextIteratorStreamer; a GGUF
  file is loaded with ``gguf_file=``. Needs the torch extra.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from rag.embedders import TORCH_INSTALL
from rag.errors import BackendUnavailableError, ConfigError

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": ...}


class Generator(Protocol):
    """Streams a chat completion."""

    id: str

    def stream(self, messages: list[Message]) -> Iterator[str]:
        """Yield text pieces of the reply. Raises on timeout or server errors."""
        ...

    def complete(self, messages: list[Message]) -> str:
        """The whole reply at once (no streaming)."""
        ...


class OpenAIGenerator:
    """An OpenAI-compatible endpoint via langchain-openai (timeouts and bounded retries)."""

    def __init__(self, *, base_url: str, model: str, api_key: str, timeout: float,
                 max_retries: int, max_tokens: int, temperature: float, **_: Any) -> None:
        if not base_url or not model:
            raise ConfigError("the 'openai' backend needs RAG_LLM_BASE_URL and RAG_LLM_MODEL")
        try:
            from langchain_openai import ChatOpenAI
        except ImportError:
            raise BackendUnavailableError("openai", "pip install -e '.[llm]'") from None
        options: dict[str, Any] = dict(base_url=base_url, model=model, api_key=api_key or "none",
                                       timeout=timeout, max_retries=max_retries, max_tokens=max_tokens,
                                       temperature=temperature)
        self._stream = ChatOpenAI(**options, streaming=True)
        self._plain = ChatOpenAI(**options, streaming=False)
        self.id = f"openai:{model}"

    def stream(self, messages: list[Message]) -> Iterator[str]:
        for chunk in self._stream.stream([(m["role"], m["content"]) for m in messages]):
            text = chunk.content if isinstance(chunk.content, str) else ""
            if text:
                yield text

    def complete(self, messages: list[Message]) -> str:
        reply = self._plain.invoke([(m["role"], m["content"]) for m in messages])
        return reply.content if isinstance(reply.content, str) else ""


class TransformersGenerator:
    """A local model through transformers, streamed token by token."""

    def __init__(self, *, model: str, gguf_file: str = "", max_tokens: int = 512,
                 temperature: float = 0.1, timeout: float = 120.0, **_: Any) -> None:
        if not model:
            raise ConfigError("the 'transformers' backend needs RAG_LLM_MODEL (a name or a folder)")
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError:
            raise BackendUnavailableError("transformers", TORCH_INSTALL) from None
        extra = {"gguf_file": gguf_file} if gguf_file else {}
        self._tok = AutoTokenizer.from_pretrained(model, **extra)
        device = "cuda" if torch.cuda.is_available() else "cpu"
        self._model = AutoModelForCausalLM.from_pretrained(model, **extra).to(device)  # type: ignore[arg-type]
        self._device = device
        self.max_tokens, self.temperature, self.timeout = max_tokens, temperature, timeout
        self.id = f"transformers:{model}{'/' + gguf_file if gguf_file else ''}"

    def _inputs(self, messages: list[Message]) -> Any:
        if getattr(self._tok, "chat_template", None):
            return self._tok.apply_chat_template(messages, add_generation_prompt=True,
                                                 return_tensors="pt", return_dict=True)
        # a base model without a chat template: a plain transcript
        names = {"system": "系统", "user": "用户", "assistant": "助手"}
        text = "\n".join(f"{names.get(m['role'], m['role'])}：{m['content']}" for m in messages) + "\n助手："
        return self._tok(text, return_tensors="pt")

    def stream(self, messages: list[Message]) -> Iterator[str]:
        from transformers import TextIteratorStreamer

        inputs = {k: v.to(self._device) for k, v in self._inputs(messages).items()}
        streamer = TextIteratorStreamer(self._tok, skip_prompt=True, skip_special_tokens=True,
                                        timeout=self.timeout)
        kwargs = dict(**inputs, streamer=streamer, max_new_tokens=self.max_tokens,
                      do_sample=self.temperature > 0, pad_token_id=self._tok.eos_token_id)
        if self.temperature > 0:
            kwargs["temperature"] = self.temperature
        errors: list[BaseException] = []

        def work() -> None:
            try:
                self._model.generate(**kwargs)
            except BaseException as exc:  # noqa: BLE001 - surfaced to the caller below
                errors.append(exc)
                streamer.end()

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        yield from (piece for piece in streamer if piece)
        thread.join()
        if errors:
            raise errors[0]

    def complete(self, messages: list[Message]) -> str:
        return "".join(self.stream(messages))


GENERATORS: dict[str, Callable[..., Generator]] = {
    "openai": OpenAIGenerator,
    "transformers": TransformersGenerator,
}


def make_generator(name: str, **options: Any) -> Generator:
    """Build a registered LLM backend. Raises ConfigError for an unknown name."""
    try:
        factory = GENERATORS[name]
    except KeyError:
        raise ConfigError(f"RAG_LLM: unknown backend {name!r}; choose extractive, "
                          + ", ".join(sorted(GENERATORS))) from None
    return factory(**options)
