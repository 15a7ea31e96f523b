"""Plain-text files: UTF-8 first, then GB18030, with a warning when not UTF-8."""

from __future__ import annotations

import logging

import pytest

from rag.errors import CorpusError
from rag.extract.text import TextExtractor, decode_bytes

text = TextExtractor()


def test_utf8_text_is_returned_as_written_without_properties():
    got = text.extract("# 甲市\n\n甲市产业。\n".encode("utf-8-sig"), "a.md")
    assert got.text == "# 甲市\n\n甲市产业。\n" and got.properties == {} and got.encoding == "utf-8"


def test_a_gbk_file_is_decoded_with_a_warning(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING):
        got = text.extract("甲市新增单项冠军企业。".encode("gbk"), "gbk.txt")
    assert got.text == "甲市新增单项冠军企业。" and got.encoding == "gb18030"
    assert "gbk.txt is gb18030-encoded" in caplog.text


def test_undecodable_bytes_are_a_clear_error():
    with pytest.raises(CorpusError, match="cannot detect the text encoding; save it as UTF-8"):
        decode_bytes(bytes([0x81, 0x30, 0xFF, 0xFE, 0x00, 0xC0]) * 3 + bytes(range(128, 256)), "x.txt")
