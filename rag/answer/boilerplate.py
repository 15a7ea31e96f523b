"""Lines that are never an answer: bylines, mastheads, editor and contact lines, image
credits, a paper announcing what it will do ("本文以…为研究对象，归纳总结…的启示");
and the "本报讯(记者…)" lead that starts a news item."""

from __future__ import annotations

import re

BOILERPLATE = re.compile(
    r"^(?:[●■]?\s*(?:本报记者|见习记者|记者|通讯员)\s*\S{2,12}(?:\s+\S{2,4}){0,4}$|责任编辑|联系电话|地址：|共印|"
    r"[（(]作者单位|【本文|（受访者供图）|[（(]企业供图|[（(]资料图片|"
    r"(?:[^，。]{0,8}，)?(?:本文|本研究|本报告|笔者)(?:以|将|从|对|通过|首先|拟|旨在|主要|归纳|总结|分析|梳理))"
)
REPORTER_PREFIX = re.compile(r"^本报讯\s*[（(][^）)]{0,40}[）)]\s*")
