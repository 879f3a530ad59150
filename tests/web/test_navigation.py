"""The main menu marks the section the current page belongs to."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("path, item", [
    ("/wetgeving", "/wetgeving"),
    ("/wetgeving/tijdlijn", "/wetgeving"),
    ("/netwerken", "/netwerken"),
    ("/organisaties", "/organisaties"),
    ("/vragen", "/vragen"),
])
def test_the_current_section_is_marked(client, path, item):
    html = client.get(path).get_data(as_text=True)
    menu = html[html.index('class="utrecht-nav-list"'):]
    menu = menu[:menu.index('</ul>')]
    current = re.findall(r'href="([^"]+)" aria-current="page"', menu)
    assert current == [item]
