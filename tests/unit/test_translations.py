"""The English interface is complete: every Dutch text has a translation."""

from __future__ import annotations

import os

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kde_community.config import PROJECT_ROOT

CATALOG = PROJECT_ROOT / "kde_community" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def test_every_message_in_the_code_is_translated():
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    method_map = [("kde_community/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    missing = []
    # Babel skips directories starting with "_" by default; the macros live in templates/_macros.
    def directory_filter(path: str) -> bool:
        name = os.path.basename(path)
        return not name.startswith(".") and name not in ("__pycache__", "node_modules")

    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(PROJECT_ROOT), method_map=method_map, keywords=keywords,
            directory_filter=directory_filter):
        msgid = message if isinstance(message, str) else message[0]
        entry = translated.get(msgid)
        strings = entry.string if entry else None
        if entry is None or entry.fuzzy or not (all(strings) if isinstance(strings, tuple)
                                                else strings):
            missing.append(msgid)
    assert missing == [], f"{len(missing)} untranslated, first: {missing[:5]}"
