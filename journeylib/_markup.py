"""User values in Markdown and HTML: one escaping rule, and a last check of report pages.

Everything the report shows from a user's file (touchpoint, actor and channel
names, column and scale names, the file name, messages quoting them) goes
through :func:`escape_markdown` before it is put into a Markdown sentence, so
it reads as the text it is: never as a tag, a link, an image, a code span or
mathematics. :func:`defuse_html` is the second line of defence, run on every
report page: whatever still came through as markup in a Markdown or HTML
output loses what could run (scripts, ``on*`` handlers, ``javascript:`` URLs).
"""

from __future__ import annotations

import html
import re
import string

__all__ = ["escape_markdown", "defuse_html"]

# Characters HTML gives a meaning to: written as entities, which Markdown renders as the character.
_ENTITIES = {c: html.escape(c, quote=True) for c in "&<>\"'"}
# Every other ASCII punctuation character may carry Markdown syntax (emphasis, links, images, code
# spans, headings, tables, autolinks, footnotes, math); CommonMark lets a backslash escape any of them.
_BACKSLASHED = frozenset(string.punctuation) - set(_ENTITIES)
_LINE_BREAKS = re.compile(r"\s*[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+\s*")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# MathJax (in the HTML pages, ``processEscapes`` on) and JupyterLab typeset $...$, \(...\) and
# \begin{...} in the rendered text itself, after Markdown: a value holding them is wrapped in the class
# both skip.
_MATH_IGNORE = '<span class="tex2jax_ignore">{}</span>'


def escape_markdown(text) -> str:
    """`text` as Markdown that renders exactly as that text, in a Markdown sentence or table cell.

    HTML's special characters ``& < > " '`` become character references
    (``&lt;`` ...), every other ASCII punctuation character is escaped with a
    backslash (so ``[x](y)``, ``![i](y)``, backticks, ``*``, ``_``, ``#``,
    ``|`` and ``https://`` autolinks stay plain text), line breaks become one
    space (a value cannot start a heading, list or HTML block), control
    characters become ``U+FFFD``, and a value containing ``$`` or ``\\`` is
    wrapped in ``<span class="tex2jax_ignore">`` so MathJax does not typeset
    it. Do not put the result inside a code span (backticks show references
    and backslashes literally there).

    Parameters
    ----------
    text : object
        Converted with ``str`` first (a number, ``None`` and ``NaN`` read as
        they print).

    Returns
    -------
    str

    Examples
    --------
    >>> escape_markdown("<script>alert(1)</script>")
    '&lt;script&gt;alert\\\\(1\\\\)&lt;\\\\/script&gt;'
    >>> print(escape_markdown("[x](javascript:alert(4))"))
    \\[x\\]\\(javascript\\:alert\\(4\\)\\)
    >>> print(escape_markdown("a`b` <img src=x onerror=alert(2)>"))
    a\\`b\\` &lt;img src\\=x onerror\\=alert\\(2\\)&gt;
    >>> print(escape_markdown("price $5\\nor more"))
    <span class="tex2jax_ignore">price \\$5 or more</span>
    >>> escape_markdown("delivery"), escape_markdown(0.5)
    ('delivery', '0\\\\.5')
    """
    text = _CONTROL.sub("\ufffd", _LINE_BREAKS.sub(" ", str(text)))
    out = "".join(_ENTITIES.get(c) or (f"\\{c}" if c in _BACKSLASHED else c) for c in text)
    return _MATH_IGNORE.format(out) if ("$" in text or "\\" in text) else out


# --------------------------------------------------------------------------- report pages
_ACTIVE_TAGS = ["script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form",
                "meta", "link", "portal"]
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
                   "codebase", "cite", "srcset", "ping", "lowsrc", "dynsrc")
_UNSAFE_URL = re.compile(r"^(?:javascript|vbscript|data|livescript|mocha):", re.I)
_SAFE_DATA_IMAGE = re.compile(r"^data:image/(?:png|jpeg|gif|webp);", re.I)
#: The parts of an nbconvert page that show notebook content rendered from Markdown or HTML.
RENDERED = '[data-mime-type="text/markdown"], [data-mime-type="text/html"]'


def _unsafe_url(tag, attribute, value):
    plain = re.sub(r"[\x00-\x20]+", "", html.unescape(str(value)))
    if attribute == "srcdoc":
        return True
    if tag == "img" and attribute == "src" and _SAFE_DATA_IMAGE.match(plain):
        return False
    return bool(_UNSAFE_URL.match(plain))


def defuse_html(soup) -> int:
    """Remove what could run from the rendered Markdown and HTML outputs of an nbconvert page.

    Inside every element with ``data-mime-type`` ``text/markdown`` or
    ``text/html`` (Markdown cells, Markdown and HTML outputs): ``script``,
    ``iframe``, ``object``, ``embed``, ``form``, ``base``, ``meta`` and
    ``link`` elements are removed, attributes whose name starts with ``on``
    are dropped, and so are ``srcdoc`` and URL attributes (``href``, ``src``,
    ``xlink:href``, ...) holding a ``javascript:``, ``vbscript:`` or ``data:``
    URL (except PNG, JPEG, GIF and WebP data in an ``img``). The page's own
    scripts (MathJax, RequireJS, widget state) are outside these elements and
    stay. Values are escaped before they reach Markdown
    (:func:`escape_markdown`); this is the second line of defence.

    Parameters
    ----------
    soup : bs4.BeautifulSoup
        The parsed page, changed in place.

    Returns
    -------
    int
        How many elements and attributes were removed.

    Examples
    --------
    >>> from bs4 import BeautifulSoup
    >>> page = BeautifulSoup('<script src="mathjax.js"></script><div data-mime-type="text/markdown">'
    ...                      '<p onclick="x()">hi <a href=" JavaScript:alert(1)">a</a></p>'
    ...                      '<script>alert(2)</script></div>', "html.parser")
    >>> defuse_html(page)
    3
    >>> str(page)
    '<script src="mathjax.js"></script><div data-mime-type="text/markdown"><p>hi <a>a</a></p></div>'
    """
    removed = 0
    for area in soup.select(RENDERED):
        for tag in area.find_all(_ACTIVE_TAGS):
            if not tag.decomposed:  # not inside one removed before
                tag.decompose()
                removed += 1
        for tag in area.find_all(True):
            for attribute in list(tag.attrs):
                name = attribute.lower()
                if name.startswith("on") or (
                        (name in _URL_ATTRIBUTES or name == "srcdoc" or name.endswith(":href"))
                        and _unsafe_url(tag.name, name, tag.attrs[attribute])):
                    del tag.attrs[attribute]
                    removed += 1
    return removed
