"""journeylib.report: save_figure's files and folders, and build_report on tiny notebooks."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest

import journeylib.report.pages  # noqa: F401  (report.pages, report.run below)
import journeylib.report.run  # noqa: F401
from journeylib import report
from journeylib.report import build_report, find_root, main, notebook_question, save_figure

v4 = nbformat.v4
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- save_figure
def test_save_figure_writes_png_and_svg_with_stable_names(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [2, 0, 1])
    paths = save_figure(ax, "07-demo", directory=tmp_path)
    assert paths == [tmp_path / "07-demo.png", tmp_path / "07-demo.svg"]
    assert paths[0].read_bytes()[:8] == PNG_MAGIC
    svg = paths[1].read_text("utf-8")
    assert "<svg" in svg and "<dc:date>" not in svg
    # same figure, same bytes: the report's figures do not churn between runs
    again = save_figure(fig, "07-demo-again", directory=tmp_path)
    assert again[1].read_text("utf-8").replace("07-demo-again", "07-demo") == svg
    assert again[0].read_bytes() == paths[0].read_bytes()


def test_save_figure_accepts_figure_axes_array_and_subfigure(tmp_path):
    fig, axes = plt.subplots(1, 2, figsize=(4, 2))
    (png,) = save_figure(axes, "array", directory=tmp_path, formats=("png",))
    root = plt.figure(figsize=(6, 2))
    sub_ax = root.subfigures(1, 2)[1].subplots()
    (png2,) = save_figure(sub_ax, "sub", directory=tmp_path, formats=("png",), dpi=50)
    width = int.from_bytes(png2.read_bytes()[16:20], "big")
    # the whole root figure (6 in at 50 dpi = 300 px; the tight bbox may trim or pad a few
    # pixels depending on the theme in force), not just the subfigure (about 150 px)
    assert 250 < width < 330
    assert png.is_file()


def test_save_figure_directory_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(report.FIGURES_ENV, str(tmp_path / "env-figs"))
    fig, ax = plt.subplots()
    paths = save_figure(ax, "env", formats=("png",))
    assert paths == [tmp_path / "env-figs" / "env.png"] and paths[0].is_file()


def test_save_figure_default_is_repository_build_figures(repo_root, monkeypatch):
    monkeypatch.delenv(report.FIGURES_ENV, raising=False)
    monkeypatch.chdir(repo_root / "tests")
    fig, ax = plt.subplots()
    name = f"zz-test-default-{os.getpid()}"
    paths = save_figure(ax, name, formats=("png",))
    try:
        assert paths == [repo_root / "build" / "figures" / f"{name}.png"]
        assert paths[0].is_file()
    finally:
        for p in paths:
            p.unlink(missing_ok=True)


def test_save_figure_outside_repository_warns_and_uses_own_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(report.FIGURES_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    fig, ax = plt.subplots()
    with pytest.warns(UserWarning, match="journeylib-figures"):
        paths = save_figure(ax, "outside", formats=("png",))
    assert paths == [tmp_path / "journeylib-figures" / "outside.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journeylib-figures"]


@pytest.mark.parametrize("name", ["a/b", "fig.png", "", "../up", 3])
def test_save_figure_rejects_bad_names(tmp_path, name):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="`name`"):
        save_figure(ax, name, directory=tmp_path)


def test_save_figure_rejects_non_figures(tmp_path):
    with pytest.raises(TypeError, match="list"):
        save_figure([1, 2], "x", directory=tmp_path)


def test_find_root(repo_root, tmp_path):
    assert find_root(repo_root / "journeylib" / "datasets") == repo_root
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n')
    assert find_root(tmp_path) is None


# --------------------------------------------------------------------------- notebook text
@pytest.mark.parametrize(("source", "expected"), [
    ("# 01 · The gap\n\nThe touchpoints were fine. Was the *journey*? Yes.", ("01 · The gap", "Was the journey?")),
    ("# Title only", ("Title only", "")),
    ("# T\n\nNo question here. Second sentence.", ("T", "No question here.")),
    ("Intro [link](http://x) and `code`: why?\n", ("", "Intro link and code: why?")),
    ("# T\n\nWhy ask? **Does compare_rules find it (see a.com), e.g. at n = 10?** More.\n\n```\nwhat?\n```",
     ("T", "Does compare_rules find it (see a.com), e.g. at n = 10?")),
    ("# T\n\n**Question.** On data (from example.com), does it hold... at all? Yes.",
     ("T", "On data (from example.com), does it hold... at all?")),
])
def test_notebook_question(source, expected):
    nb = v4.new_notebook(cells=[v4.new_code_cell("x = 1"), v4.new_markdown_cell(source)])
    assert notebook_question(nb) == expected


def test_a_run_starts_from_a_notebook_without_stored_outputs():
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# T"),
        v4.new_code_cell("A = 1", metadata={"tags": ["parameters"]}, execution_count=1),
        v4.new_code_cell("A = 2", metadata={"tags": ["injected-parameters"]}, execution_count=2),
        v4.new_markdown_cell("stopped", metadata={"tags": ["papermill-error-cell-tag"]}),
        v4.new_code_cell("print(A)", execution_count=3, metadata={"papermill": {"status": "completed"}},
                         outputs=[v4.new_output("stream", name="stdout", text="NPS -32\n")])])
    out = report.run._strip_outputs(nb)
    assert [c.source for c in out.cells] == ["# T", "A = 1", "print(A)"]
    assert all(c.outputs == [] and c.execution_count is None for c in out.cells if c.cell_type == "code")
    assert "papermill" not in out.cells[-1].metadata


# --------------------------------------------------------------------------- build_report
def _write(folder, name, cells, metadata=None):
    nb = v4.new_notebook(cells=cells)
    nb.metadata.update(metadata or {})
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / name)


@pytest.fixture(scope="module")
def built(tmp_path_factory, repo_root):
    """One report over four tiny notebooks: saves a figure, inline figure only, fails, data offline."""
    base = tmp_path_factory.mktemp("report")
    nbdir = base / "nbs"
    nbdir.mkdir()
    _write(nbdir, "01-saves.ipynb", [
        v4.new_markdown_cell("# Saves a figure\n\nDoes the report find the key figure?"),
        v4.new_code_cell("N = 3", metadata={"tags": ["parameters"]}),
        v4.new_code_cell("import os\nimport matplotlib.pyplot as plt\nimport journeylib as jl"),
        v4.new_code_cell("fig, ax = plt.subplots()\nline = ax.plot(range(N))\n"
                         "paths = jl.save_figure(ax, '01-later')\npaths = jl.save_figure(ax, '99-other')\n"
                         "print(N, os.getcwd(), os.environ.get('JOURNEYLIB_DATA_MIRROR'))"),
    ])
    _write(nbdir, "05-named.ipynb", [
        v4.new_markdown_cell("# Named key figure\n\nIs the key figure from the metadata used?"),
        v4.new_code_cell("import matplotlib.pyplot as plt\nimport journeylib as jl\nfig, ax = plt.subplots()\n"
                         "paths = jl.save_figure(ax, '05-first')\npaths = jl.save_figure(ax, '05-chosen')"),
    ], metadata={"journeylib": {"key_figure": "05-chosen"}})
    _write(nbdir, "02-inline.ipynb", [
        v4.new_markdown_cell("# Inline only\n\nIs an inline figure used when none is saved?"),
        v4.new_code_cell("import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nline = ax.plot([3, 1, 2])"),
    ])
    _write(nbdir, "03-fails.ipynb", [
        v4.new_markdown_cell("# Fails\n\nWhat happens on an error?"),
        v4.new_code_cell("x = 1"),
        v4.new_code_cell("y = 2"),
        v4.new_code_cell("x / 0"),
        v4.new_code_cell("print('never')"),
    ])
    _write(nbdir, "04-offline.ipynb", [
        v4.new_markdown_cell("# Offline\n\nWhat if the data cannot be reached?"),
        v4.new_code_cell("class DataUnavailableError(OSError):\n    pass\n"
                         "raise DataUnavailableError('no mirror and no network')"),
    ])
    (nbdir / "notes.ipynb").write_text("not a numbered notebook, never run")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(report.MIRROR_ENV, raising=False)
        mp.delenv(report.FIGURES_ENV, raising=False)
        mp.setenv("MPLBACKEND", "Agg")  # must not leak into the kernels: they draw inline
        result = build_report(nbdir, base / "out" / "report", figures_dir=base / "out" / "figures",
                              parameters={"N": 5}, quiet=True)
    return base, nbdir, result


def test_report_leaves_no_kernel_running(built):
    import psutil

    def running_kernel(proc):
        try:  # a zombie has exited (only its parent has not reaped it yet): not running
            return (proc.status() != psutil.STATUS_ZOMBIE
                    and "ipykernel_launcher" in " ".join(proc.cmdline()))
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            return False

    kernels = [p for p in psutil.Process().children(recursive=True) if running_kernel(p)]
    assert kernels == []


def test_report_statuses_and_errors(built):
    base, _, result = built
    assert list(result["notebook"]) == ["01-saves.ipynb", "02-inline.ipynb", "03-fails.ipynb",
                                        "04-offline.ipynb", "05-named.ipynb"]
    assert list(result["status"]) == ["ok", "ok", "failed", "skipped", "ok"]
    assert result.loc[2, "error"] == "cell 4: ZeroDivisionError: division by zero"
    assert result.loc[3, "error"] == "DataUnavailableError: no mirror and no network"
    assert list(result["question"]) == ["Does the report find the key figure?",
                                        "Is an inline figure used when none is saved?",
                                        "What happens on an error?", "What if the data cannot be reached?",
                                        "Is the key figure from the metadata used?"]
    assert (result["seconds"] > 0).all()
    assert result.attrs["index"] == base / "out" / "report" / "index.html"


def test_report_kernel_gets_parameters_cwd_mirror_and_figures_dir(built, repo_root):
    base, nbdir, _ = built
    nb = nbformat.read(base / "out" / "report" / "notebooks" / "01-saves.ipynb", as_version=4)
    assert nb.cells[2].metadata["tags"] == ["injected-parameters"]
    shared = repo_root.parent / "shared" / "data"
    expected_mirror = str(shared) if shared.is_dir() else "None"
    assert nb.cells[-1].outputs[0]["text"] == f"5 {nbdir.resolve()} {expected_mirror}\n"
    assert sorted(p.name for p in (base / "out" / "figures").iterdir()) == [
        "01-later.png", "01-later.svg", "05-chosen.png", "05-chosen.svg", "05-first.png", "05-first.svg",
        "99-other.png", "99-other.svg"]
    # the inline figure really rendered (no Agg leaked from the parent's environment)
    inline = nbformat.read(base / "out" / "report" / "notebooks" / "02-inline.ipynb", as_version=4)
    assert "image/png" in inline.cells[-1].outputs[-1]["data"]
    # the failing notebook stopped at the error and kept it; papermill marked the cell
    failed = nbformat.read(base / "out" / "report" / "notebooks" / "03-fails.ipynb", as_version=4)
    assert failed.cells[-2].outputs[0]["ename"] == "ZeroDivisionError" and failed.cells[-1].outputs == []
    assert 'id="papermill-error-cell"' in failed.cells[-3].source
    assert failed.cells[0].source.startswith("**The analysis stopped with an error in cell 4**")


def test_report_key_figures(built):
    base, _, result = built
    assert result.loc[0, "figure"] == base / "out" / "figures" / "01-later.png"
    thumb = result.loc[1, "figure"]
    assert thumb == base / "out" / "report" / "thumbs" / "02-first-figure.png"
    inline = nbformat.read(base / "out" / "report" / "notebooks" / "02-inline.ipynb", as_version=4)
    assert thumb.read_bytes() == base64.b64decode(inline.cells[-1].outputs[-1]["data"]["image/png"])
    assert result.loc[2, "figure"] is None and result.loc[3, "figure"] is None
    assert result.loc[4, "figure"] == base / "out" / "figures" / "05-chosen.png"


def test_report_index_and_pages(built):
    base, _, result = built
    out = base / "out" / "report"
    index = (out / "index.html").read_text("utf-8")
    for row in result.itertuples():
        assert f'href="{Path(row.notebook).stem}.html"' in index
        assert row.question in index
        assert (out / f"{Path(row.notebook).stem}.html").is_file()
    assert 'src="../figures/01-later.png"' in index and 'src="thumbs/02-first-figure.png"' in index
    assert "skipped: DataUnavailableError: no mirror and no network" in index
    assert "failed: cell 4: ZeroDivisionError" in index
    assert index.count('class="nb"') == 5  # notes.ipynb is not a numbered notebook
    page = (out / "01-saves.html").read_text("utf-8")
    assert "Does the report find the key figure?" in page and "data:image/png;base64" in page


def test_main_exit_codes_and_summary(tmp_path, capsys):
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    _write(nbdir, "00-fine.ipynb", [v4.new_markdown_cell("# Fine\n\nDoes it pass?"), v4.new_code_cell("1 + 1")])
    assert main(["--notebooks", str(nbdir), "--out", str(tmp_path / "build")]) == 0
    out = capsys.readouterr().out
    assert "[1/1] 00-fine.ipynb ... ok in " in out
    assert out.rstrip().endswith(f"Report: {(tmp_path / 'build' / 'report' / 'index.html').resolve()}")
    _write(nbdir, "01-bad.ipynb", [v4.new_markdown_cell("# Bad"), v4.new_code_cell("raise KeyError('k')")])
    (nbdir / "00-fine.ipynb").unlink()
    assert main(["--notebooks", str(nbdir), "--out", str(tmp_path / "build")]) == 1
    captured = capsys.readouterr()
    assert "FAILED 01-bad.ipynb: cell 2: KeyError: 'k'" in captured.err
    assert main(["--notebooks", str(tmp_path / "empty-does-not-exist"), "--out", str(tmp_path)]) == 2


def test_build_report_argument_errors(tmp_path):
    (tmp_path / "readme.txt").write_text("x")
    with pytest.raises(ValueError, match="NN-title.ipynb"):
        build_report(tmp_path, tmp_path / "out")
    with pytest.raises(FileNotFoundError, match="nope.ipynb"):
        build_report([tmp_path / "nope.ipynb"], tmp_path / "out")


def test_kernel_environment(tmp_path, monkeypatch, repo_root):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv(report.MIRROR_ENV, "")  # explicitly no mirror: left empty, fetch_* download
    env = report.run._kernel_env(tmp_path)
    assert env[report.MIRROR_ENV] == "" and env[report.FIGURES_ENV] == str(tmp_path.resolve())
    assert "MPLBACKEND" not in env
    monkeypatch.setenv(report.MIRROR_ENV, str(tmp_path))
    assert report.run._kernel_env(tmp_path)[report.MIRROR_ENV] == str(tmp_path)
    monkeypatch.delenv(report.MIRROR_ENV)
    monkeypatch.chdir(repo_root)
    shared = repo_root.parent / "shared" / "data"
    assert report.run._kernel_env(tmp_path).get(report.MIRROR_ENV) == (str(shared) if shared.is_dir() else None)


def test_solution_cells_are_folded_in_the_html_page(tmp_path):
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Lab\n\nWhat is 0.97 ** 8?"),
        v4.new_code_cell("answer = None", execution_count=1),
        v4.new_code_cell("round(0.97 ** 8, 3)", execution_count=2, metadata={"tags": ["solution"]},
                         outputs=[v4.new_output("execute_result", {"text/plain": "0.784"},
                                                execution_count=2)]),
    ])
    page = tmp_path / "lab.html"
    report.pages._write_html(nb, page)
    html = page.read_text("utf-8")
    assert html.count('<details class="journeylib-solution">') == 1
    folded = html.split('<details class="journeylib-solution">', 1)[1].split("</details>", 1)[0]
    assert "Solution (click to show)" in folded and "0.784" in folded
    assert "answer" not in folded  # the exercise cell stays open


# --------------------------------------------------------------------------- values from the data
PAYLOADS = ["<script>alert(1)</script>", "[x](javascript:alert(4))", "`x` <img src=x onerror=alert(2)>",
            '"><svg onload=alert(3)>', "<a href='javascript:alert(5)'>go</a>", "https://evil.example/x",
            "![i](javascript:alert(6))", "<https://evil.example>", "``x`` `` <b>y</b>"]


@pytest.mark.parametrize(("text", "expected"), [
    ("<script>alert(1)</script>", r"&lt;script&gt;alert\(1\)&lt;\/script&gt;"),
    ("[x](javascript:alert(4))", r"\[x\]\(javascript\:alert\(4\)\)"),
    ("`x` <img src=x onerror=alert(2)>", r"\`x\` &lt;img src\=x onerror\=alert\(2\)&gt;"),
    ('"><svg onload=alert(3)>', r"&quot;&gt;&lt;svg onload\=alert\(3\)&gt;"),
    ("it's A&B", "it&#x27;s A&amp;B"),
    ("https://evil.example/x", r"https\:\/\/evil\.example\/x"),
    ("![i](x.png)", r"\!\[i\]\(x\.png\)"),
    ("*bold* _it_ # | ~ {}", r"\*bold\* \_it\_ \# \| \~ \{\}"),
    ("web\n# heading\r\n- item", r"web \# heading \- item"),
    ("café 😀", "café 😀"),
    ("bell\x07", "bell\ufffd"),
    ("pay $5", r'<span class="tex2jax_ignore">pay \$5</span>'),
    ("a\\b", r'<span class="tex2jax_ignore">a\\b</span>'),
    (0.25, r"0\.25"),
    (None, "None"),
])
def test_escape_markdown(text, expected):
    assert report.escape_markdown(text) == expected


@pytest.mark.parametrize("payload", PAYLOADS + ["web\n<script>alert(7)</script>", "x <!-- y", "&lt;b&gt;"])
def test_escaped_value_renders_as_its_text(payload):
    """Through the Markdown renderer of the HTML pages: in a sentence, a list and a table cell the
    value is text only (no element but those of the sentence), and reads exactly as given."""
    from bs4 import BeautifulSoup
    from nbconvert.filters.markdown import markdown2html

    value = report.escape_markdown(payload)
    shown = " ".join(payload.split())  # a line break reads as a space
    for markdown, wrapper in [(f"Strongest driver: **{value}** (0.36).", "p"), (f"- note: {value}", "li"),
                              (f"| touchpoint |\n|---|\n| {value} |", "td")]:
        soup = BeautifulSoup(markdown2html(markdown), "html.parser")
        names = {tag.name for tag in soup.find_all(True)}
        assert names <= {"p", "strong", "ul", "li", "table", "thead", "tbody", "tr", "th", "td"}, markdown
        assert shown in soup.find(wrapper).get_text(), markdown


def test_value_with_math_is_not_typeset():
    from bs4 import BeautifulSoup
    from nbconvert.filters.markdown import markdown2html

    soup = BeautifulSoup(markdown2html(f"- {report.escape_markdown('refund $5, fee $2')}"), "html.parser")
    span = soup.find("span")
    assert span["class"] == ["tex2jax_ignore"] and span.get_text() == "refund $5, fee $2"


def _dangerous(soup, scope, *, scripts=True):
    """Scripts (unless `scripts` is False), on* attributes and javascript: URLs inside the elements
    matched by `scope`."""
    found = []
    for area in soup.select(scope):
        found += [str(t)[:60] for t in area.find_all("script")] if scripts else []
        for tag in area.find_all(True):
            for name, value in tag.attrs.items():
                text = " ".join(value) if isinstance(value, list) else str(value)
                if name.lower().startswith("on") or "javascript:" in text.replace(" ", "").lower():
                    found.append(f"{tag.name} {name}={text[:40]}")
    return found


def test_report_page_defuses_raw_markup_in_outputs(tmp_path):
    """Second line of defence: a notebook that writes values unescaped into Markdown and HTML
    outputs still gives a page where nothing of them runs; nbconvert's own scripts stay."""
    from bs4 import BeautifulSoup

    raw = " | ".join(PAYLOADS)
    png = base64.b64encode(PNG_MAGIC).decode()
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Raw\n\n<a href=\"javascript:alert(8)\" onclick=\"x()\">link</a> <b>kept</b>"),
        v4.new_code_cell("x", execution_count=1, outputs=[
            v4.new_output("display_data", {"text/markdown": f"Driver: {raw}", "text/plain": "md"}),
            v4.new_output("display_data", {"text/html": f"<div>{raw}<iframe srcdoc='<script>x</script>'>"
                                                        f"</iframe><img src=\"data:image/png;base64,{png}\">"
                                                        "<a href='https://example.com/a'>ok</a></div>",
                                           "text/plain": "html"})]),
        # nbconvert escapes these itself: a warning on stderr, plain text, a traceback quoting a value
        v4.new_code_cell("y", execution_count=2, outputs=[
            v4.new_output("stream", name="stderr", text=f"UserWarning: {raw}\n"),
            v4.new_output("execute_result", {"text/plain": raw}, execution_count=2),
            v4.new_output("error", ename="ValueError", evalue=raw,
                          traceback=[f"\x1b[0;31mValueError\x1b[0m: {raw}"])])])
    clean = v4.new_notebook(cells=[v4.new_markdown_cell("# Clean")])
    report.pages._write_html(nb, tmp_path / "raw.html")
    report.pages._write_html(clean, tmp_path / "clean.html")
    page = BeautifulSoup((tmp_path / "raw.html").read_text("utf-8"), "html.parser")
    assert _dangerous(page, "body") == []
    assert _dangerous(page, "html", scripts=False) == []  # the head holds nbconvert's own scripts
    assert page.find("iframe") is None

    def scripts(soup):
        return sorted((sorted(s.attrs.items()), s.get_text()) for s in soup.find_all("script"))

    ref = BeautifulSoup((tmp_path / "clean.html").read_text("utf-8"), "html.parser")
    assert scripts(page) == scripts(ref) and scripts(ref)  # the template's MathJax, RequireJS, ...
    assert page.get_text().count(raw) == 3  # warning, plain text and traceback: shown as text
    assert page.find("b").get_text() == "kept"
    assert page.find("a", href="https://example.com/a").get_text() == "ok"
    assert page.find("img", src=f"data:image/png;base64,{png}") is not None


def test_defuse_html_keeps_the_stored_notebooks_whole(repo_root):
    """The project's own notebooks lose nothing: their pages are unchanged by the defusing."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from journeylib._markup import defuse_html

    for name in ["06-student-lab.ipynb", "07-your-data.ipynb"]:
        nb = nbformat.read(repo_root / "notebooks" / name, as_version=4)
        body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
        assert defuse_html(BeautifulSoup(body, "html.parser")) == 0, name


def test_index_escapes_titles_questions_and_errors(tmp_path):
    from bs4 import BeautifulSoup

    page = tmp_path / "01-x.html"
    rows = [{"notebook": "01-x.ipynb", "status": status, "seconds": 1.0, "title": PAYLOADS[0],
             "question": PAYLOADS[3], "figure": None, "html": page, "error": PAYLOADS[2]}
            for status in ("ok", "failed", "skipped")]
    index = report.pages._write_index(rows, tmp_path, title=f"journeylib report: {PAYLOADS[2]}.csv")
    soup = BeautifulSoup(index.read_text("utf-8"), "html.parser")
    assert soup.find_all("script") == [] and soup.find_all("svg") == [] and soup.find_all("img") == []
    assert _dangerous(soup, "html") == []
    assert soup.title.get_text() == f"journeylib report: {PAYLOADS[2]}.csv"
    assert [h.get_text() for h in soup.find_all("h2")] == [PAYLOADS[0]] * 3
    assert soup.get_text().count(PAYLOADS[3]) == 3 and soup.get_text().count(f"failed: {PAYLOADS[2]}") == 1


def test_svg_figures_escape_labels(tmp_path):
    import xml.etree.ElementTree as ET

    fig, ax = plt.subplots()
    ax.barh(range(3), [1, 2, 3])
    ax.set_yticks(range(3), ["--><script>alert(1)</script><!--", PAYLOADS[2], PAYLOADS[3]])
    ax.set_title(PAYLOADS[1])
    svg = save_figure(ax, "payload", directory=tmp_path, formats=("svg",))[0].read_text("utf-8")
    root = ET.fromstring(svg)  # well-formed: no label broke out of its comment or text
    for element in root.iter():
        assert not str(element.tag).endswith("script")
        assert not [a for a in element.attrib if a.lower().startswith("on")]
    outside_comments = re.sub(r"(?s)<!--.*?-->", "", svg)
    assert "alert(" not in outside_comments and "<script" not in svg


def test_warnings_in_a_report_notebook_become_notes(tmp_path):
    """A notebook that turns warnings into notes (as notebook 07 does) stores no stderr box, and the note
    names the data file without its folder."""
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    data = tmp_path / "secret folder" / "my data.csv"
    _write(nbdir, "01-notes.ipynb", [
        v4.new_markdown_cell("# Notes\n\nAre warnings notes?"),
        v4.new_code_cell(f"DATA = {str(data)!r}", metadata={"tags": ["parameters"]}),
        v4.new_code_cell("import warnings\nfrom journeylib.headlines import show_warnings_as_notes\n"
                         "restore = show_warnings_as_notes(hide_paths=[DATA])"),
        v4.new_code_cell("warnings.warn(f'{DATA}: 3 rows <dropped>', UserWarning, stacklevel=1)\nx = 1"),
    ])
    result = build_report(nbdir, tmp_path / "out", quiet=True, with_code=False)
    assert list(result["status"]) == ["ok"]
    nb = nbformat.read(tmp_path / "out" / "notebooks" / "01-notes.ipynb", as_version=4)
    outputs = nb.cells[-1].outputs
    assert [o.get("name") for o in outputs if o.output_type == "stream"] == []
    assert [o["data"]["text/markdown"] for o in outputs] == [r"*Note:* my data\.csv\: 3 rows &lt;dropped&gt;"]
    page = (tmp_path / "out" / "01-notes.html").read_text("utf-8")
    assert "secret folder" not in page.split("<body", 1)[1] and "ipykernel_" not in page
    assert "warnings.warn" not in page  # no code on a page for readers
