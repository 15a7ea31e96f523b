"""Lines that are never an answer: bylines, mastheads, editor and contact lines, image
credits; and the "本报讯(记者…)" lead that starts a news item."""

from __future__ import annotations

import re

BOILERPLATE = re.compile(
    r"^(?:[●■]?\s*(?:本报记者|见习记者|记者|通讯员)\s*\S{2,12}(?:\s+\S{2,4}){0,4}$|责任编辑|联系电话|地址：|共印|"
    r"[（(]作者单位|【本文|（受访者供图）|[（(]企业供图|[（(]资料图片)"
)
REPORTER_PREFIX = re.compile(r"^本报讯\s*[（(][^）)]{0,40}[）)]\s*")
