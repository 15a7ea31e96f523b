"""An LLM judge for eval answers (``rag eval --judge``).

String matching of key facts undercounts answers that paraphrase (an LLM rarely
repeats "技术联盟型" word for word). With an OpenAI-compatible endpoint configured
(RAG_LLM_BASE_URL, RAG_LLM_MODEL), each answer is also judged for correctness
(it states the key facts, or rightly refuses when there are none) and faithfulness
(every claim is supported by the passages it cites), with the prompt
``rag/prompts/judge_zh.txt``. The verdicts are reported beside the string
metrics, never instead of them. A reply that is not the asked JSON, a timeout or a
server error marks that item ``judge_failed``; the run goes on.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rag.answer.grounded import _clean, prompt
from rag.answer.registry import make_generator_for
from rag.errors import ConfigError
from rag.evaluate import QAItem
from rag.generators import Generator, Message
from rag.schema import Citation
from rag.settings import Settings

log = logging.getLogger(__name__)
PROMPT = "judge_zh.txt"
NEEDS = "set RAG_LLM_BASE_URL and RAG_LLM_MODEL (an OpenAI-compatible endpoint)"
_FENCE = re.compile(r"```(?:json)?", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    """The judge's scores for one answer; ``failed`` when no usable verdict came back."""

    correct: int | None = None
    faithful: int | None = None
    reason: str = ""
    failed: bool = False

    def fields(self) -> dict[str, Any]:
        """The per-item report fields (``ItemResult.judge_*``)."""
        return {"judge_correct": self.correct, "judge_faithful": self.faithful,
                "judge_reason": self.reason, "judge_failed": self.failed}


def _score(value: Any) -> int | None:
    """0 or 1 from 0/1, true/false, "0"/"1"; None for anything else."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)) and value in (0, 1):
        return int(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return int(value.strip())
    return None


def parse_verdict(text: str) -> Verdict | None:
    """The first JSON object in ``text`` with 0/1 ``correct`` and ``faithful``, tolerating
    code fences and text around it; None when there is none."""
    body = _FENCE.sub("", text or "")
    decoder = json.JSONDecoder()
    for start in (i for i, ch in enumerate(body) if ch == "{"):
        try:
            obj, _ = decoder.raw_decode(body, start)
        except json.JSONDecodeError:
            continue
        if not isinstance(obj, dict):
            continue
        correct, faithful = _score(obj.get("correct")), _score(obj.get("faithful"))
        if correct is not None and faithful is not None:
            return Verdict(correct, faithful, str(obj.get("reason", "")).strip())
    return None


def build_messages(item: QAItem, answer_text: str, citations: Sequence[Citation]) -> list[Message]:
    """The judging prompt, then the question, key facts, answer and cited passages, delimited."""
    facts = "；".join(_clean(f) for f in item.key_facts) if item.answerable else ""
    blocks = "\n".join(
        f'<passage id="{c.n}" source="《{_clean(c.title)}》{_clean(c.publisher)}">\n'
        f"{_clean(c.passage or c.quote)}\n</passage>"
        for c in citations)
    user = (f"问题：{_clean(item.question)}\n"
            f"应含要点：{facts or '（空：资料中没有答案）'}\n"
            f"<answer>\n{_clean(answer_text)}\n</answer>\n"
            f"回答引用的资料：\n{blocks or '（无）'}")
    return [{"role": "system", "content": prompt(PROMPT)}, {"role": "user", "content": user}]


class Judge:
    """Judges eval answers through an OpenAI-compatible generator (rag/generators.py)."""

    def __init__(self, generator: Generator) -> None:
        self.generator = generator
        self.id = generator.id

    def verdict(self, item: QAItem, answer: Any) -> Verdict:
        """The verdict on one answer; a failed call or an unparseable reply is ``failed``."""
        messages = build_messages(item, answer.text, answer.citations)
        try:
            reply = self.generator.complete(messages)
        except Exception as exc:  # noqa: BLE001 - a judge failure never stops the run
            log.warning("judge %s failed on %s (%s)", self.id, item.id, exc)
            return Verdict(reason=f"judge call failed: {type(exc).__name__}", failed=True)
        parsed = parse_verdict(reply)
        if parsed is None:
            log.warning("judge %s gave no usable verdict on %s: %.80r", self.id, item.id, reply)
            return Verdict(reason=f"unparseable judge reply: {reply[:200]}", failed=True)
        return parsed

    def __call__(self, item: QAItem, answer: Any) -> dict[str, Any]:
        """The per-item judge fields for ``rag.evaluate.run``."""
        return self.verdict(item, answer).fields()


def make_judge(settings: Settings) -> Judge:
    """The judge on the configured endpoint, with its timeout and retries (temperature 0).
    Raises ConfigError naming the settings to set when no endpoint is configured."""
    if not settings.llm_base_url or not settings.llm_model:
        raise ConfigError(f"--judge needs an LLM endpoint: {NEEDS}")
    generator = make_generator_for(settings.model_copy(update={"llm": "openai", "llm_temperature": 0.0}))
    assert generator is not None  # "openai" always builds one
    return Judge(generator)
