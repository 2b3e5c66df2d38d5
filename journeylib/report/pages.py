"""HTML pages of executed notebooks and the index that links them."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from .._markup import defuse_html

__all__ = ["notebook_question"]

#: Cells a run adds (papermill's injected parameters and its error markers): not the notebook's own.
_RUN_TAGS = {"injected-parameters", "papermill-error-cell-tag"}


def _plain(markdown):
    """Markdown to plain text: no emphasis, code ticks or link targets (snake_case names survive)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"[*`]+|(?<!\w)_+|_+(?!\w)", "", text)
    return " ".join(text.split())


def notebook_question(nb):
    """Title and question of a notebook, from its first (markdown) cell.

    The title is the first ``#`` heading. The question is the first bold
    passage ending in ``?``, else the first sentence ending in ``?``, else the
    first sentence after the title. Code blocks are ignored.

    Parameters
    ----------
    nb : nbformat.NotebookNode, str or Path

    Returns
    -------
    tuple of str
        ``(title, question)``; empty strings when the cell has none.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
    ...     "# The gap\\n\\nSome context. Are **touchpoints** fine (see example.com) while the journey is not? More.")])
    >>> notebook_question(nb)
    ('The gap', 'Are touchpoints fine (see example.com) while the journey is not?')
    """
    import nbformat

    if isinstance(nb, (str, Path)):
        nb = nbformat.read(nb, as_version=4)
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if first is None:
        return "", ""
    source = re.sub(r"(?ms)^```.*?^```", "", first.source)
    lines = source.splitlines()
    title = next((_plain(x.lstrip("#")) for x in lines if x.startswith("#")), "")
    body = " ".join(x for x in lines if x.strip() and not x.startswith("#"))
    bold = [_plain(b) for b in re.findall(r"\*\*(.+?)\*\*", body) if b.rstrip().endswith("?")]
    if bold:
        return title, bold[0]
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", _plain(body))
    asked = [x for x in sentences if x.endswith("?")]
    return title, (asked or sentences)[0].strip() if sentences else ""


def _headline_of(nb):
    """The Markdown a cell tagged ``headline`` displayed first (the notebook's answer in short), or ""."""
    for cell in nb.cells:
        if "headline" in cell.get("metadata", {}).get("tags", []):
            for out in cell.get("outputs", []):
                if "text/markdown" in out.get("data", {}):
                    return out["data"]["text/markdown"]
    return ""


def _write_html(nb, page, *, with_code=True):  # True, False or "failing"
    """One HTML page; cells tagged ``solution`` are folded into a <details> block, as they
    are collapsed in the notebook, so a reader of the report can try before looking.

    Without `with_code` the page is for a reader of results: no code and no prompts
    (nbconvert's ``exclude_input``). A failed run shows the code of the failing cell only,
    above its error. Values from the data are escaped where the notebooks write them
    (:func:`escape_markdown`); as a second line of defence, whatever could run inside a
    rendered Markdown or HTML output (a script, an ``on*`` attribute, a ``javascript:`` link)
    is removed (:func:`defuse_html`). nbconvert's own ``sanitize_html`` is not used: it shows
    the tags of headings, paragraphs and DataFrame tables as text.
    """
    import copy

    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    options = {}
    if with_code is not True:  # a code cell without output would only leave an empty gap
        nb = copy.deepcopy(nb)
        nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.get("outputs")]
    failed = [i for i, c in enumerate(nb.cells)
              if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    if not with_code:
        options = {"exclude_input": True, "exclude_input_prompt": True, "exclude_output_prompt": True}
    elif with_code == "failing":
        nb = copy.deepcopy(nb)
        for i, c in enumerate(nb.cells):
            if c.cell_type == "code" and i not in failed[:1]:
                c.metadata.setdefault("transient", {})["remove_source"] = True
        options = {"exclude_input_prompt": True, "exclude_output_prompt": True}
    body, _ = HTMLExporter(template_name="lab", **options).from_notebook_node(nb)
    soup = BeautifulSoup(body, "html.parser")
    changed = defuse_html(soup)
    for cell in soup.select("div.celltag_solution"):
        details = soup.new_tag("details", attrs={"class": "journeylib-solution"})
        summary = soup.new_tag("summary")
        summary.string = "Solution (click to show)"
        cell.wrap(details)
        details.insert(0, summary)
        changed += 1
    page.write_text(str(soup) if changed else body, encoding="utf-8")


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:980px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{margin-bottom:.2em} .lead{color:#555;margin-top:0}
.nb{display:flex;gap:1.2em;align-items:center;border-top:1px solid #ddd;padding:1em 0}
.nb img{width:260px;height:170px;object-fit:contain;background:#fafafa;border:1px solid #eee}
.nb .noimg{width:260px;height:170px;display:flex;align-items:center;justify-content:center;
color:#999;background:#fafafa;border:1px solid #eee;flex:none}
.nb h2{font-size:1.15em;margin:0 0 .3em} .nb p{margin:.2em 0}
.meta{color:#777;font-size:.9em} .skipped{color:#a60} .failed{color:#b00;font-weight:bold}
.headline{background:#f6f8fb;border-left:3px solid #3b6ea5;padding:.2em 1em;margin:.6em 0}
.headline h3,.headline h4{margin:.4em 0}
"""


def _rel(path, start):
    return Path(os.path.relpath(path, start)).as_posix()


def _rendered(markdown):
    """A notebook's headline Markdown as HTML for the index (escaped where the notebook wrote it;
    defused again here)."""
    if not markdown:
        return ""
    from bs4 import BeautifulSoup
    from nbconvert.filters.markdown import markdown2html

    soup = BeautifulSoup(f'<div class="headline" data-mime-type="text/markdown">{markdown2html(markdown)}</div>',
                         "html.parser")
    for anchor in soup.select("a.anchor-link"):
        anchor.decompose()
    defuse_html(soup)
    return str(soup)


def _write_index(rows, out_dir, title):
    items = []
    for row in rows:
        name = html.escape(row["title"] or row["notebook"])
        link = html.escape(_rel(row["html"], out_dir))
        if row["figure"] is not None:
            thumb = f'<a href="{link}"><img src="{html.escape(_rel(row["figure"], out_dir))}" alt="key figure of {name}"></a>'
        else:
            thumb = '<div class="noimg">no figure</div>'
        state = {"ok": f"ran in {row['seconds']:.0f} s",
                 "skipped": f'<span class="skipped">skipped: {html.escape(row["error"])}</span>',
                 "failed": f'<span class="failed">failed: {html.escape(row["error"])}</span>'}[row["status"]]
        items.append(f'<div class="nb">{thumb}<div><h2><a href="{link}">{name}</a></h2>'
                     f'<p>{html.escape(row["question"])}</p>{_rendered(row.get("headline"))}'
                     f'<p class="meta">{html.escape(row["notebook"])} · {state}</p></div></div>')
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>'
            f'<p class="lead">Touchpoint scores versus the journey as a whole: each notebook answers one '
            f'question with numbers computed when the report was built. Click a title or a figure to read it.</p>'
            + "\n".join(items) + "</body></html>")
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
