"""Structure of the notebooks (STYLE.md): title and question, parameters, imports, takeaways,
outputs stored from one fresh run, no errors or warnings in them. nbval (make test) re-runs them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
NAME = re.compile(r"^\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb$")
MAX_CODE_LINES = 20  # "about 15" in STYLE.md, with some slack
MAX_CELLS = 40  # "about 25"


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def nb(request):
    return nbformat.read(request.param, as_version=4), request.param


def test_there_are_notebooks():
    names = [p.name[:2] for p in NOTEBOOKS]
    assert {"00", "01", "02", "03", "05"} <= set(names)
    assert len(names) == len(set(names)), f"two notebooks share a number: {names}"


def test_file_name(nb):
    _, path = nb
    assert NAME.match(path.name), f"{path.name} is not NN-kebab-title.ipynb"


def test_title_and_question_first(nb):
    nb, path = nb
    first = nb.cells[0]
    assert first.cell_type == "markdown", f"{path.name}: cell 1 must be markdown (title and question)"
    assert first.source.startswith("# "), f"{path.name}: cell 1 must start with a '# ' title"
    assert "?" in first.source, f"{path.name}: cell 1 must state the question"


def test_parameters_cell_holds_constants_only(nb):
    nb, path = nb
    cell = nb.cells[1]
    assert cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []), (
        f"{path.name}: cell 2 must be a code cell tagged 'parameters'")
    tree = ast.parse(cell.source)
    assert tree.body, f"{path.name}: the parameters cell is empty"
    for stmt in tree.body:
        assert isinstance(stmt, ast.Assign), f"{path.name}: parameters cell line {stmt.lineno} is not an assignment"
        ast.literal_eval(stmt.value)  # raises for anything but a constant


def test_imports_in_cell_three_only(nb):
    nb, path = nb
    third = nb.cells[2]
    assert third.cell_type == "code", f"{path.name}: cell 3 must be the imports"
    assert "import journeylib as jl" in third.source, f"{path.name}: cell 3 must import journeylib as jl"
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code" or number == 3:
            continue
        nodes = [n for n in ast.walk(ast.parse(cell.source)) if isinstance(n, (ast.Import, ast.ImportFrom))]
        modules = [n.module or "" for n in nodes if isinstance(n, ast.ImportFrom)]
        modules += [a.name for n in nodes if isinstance(n, ast.Import) for a in n.names]
        # a later cell may take something from journeylib itself (an exercise's data); packages go in cell 3
        outside = [m for m in modules if m.split(".")[0] != "journeylib"]
        assert not outside, f"{path.name}: cell {number} imports {outside}; imports belong in cell 3"


def test_ends_with_takeaways(nb):
    nb, path = nb
    last = nb.cells[-1]
    assert last.cell_type == "markdown" and re.match(r"#+ Takeaways", last.source), (
        f"{path.name}: the last cell must be a 'Takeaways' markdown cell")


def test_outputs_stored_from_one_fresh_run(nb):
    nb, path = nb
    counts = [c.execution_count for c in _code(nb)]
    assert None not in counts, f"{path.name}: not executed (cells without execution count), run it and save"
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not one run in a fresh kernel")
    assert sum(len(c.outputs) for c in _code(nb)) >= 5, f"{path.name}: hardly any outputs stored"
    assert any("image/png" in o.get("data", {}) for c in _code(nb) for o in c.outputs), (
        f"{path.name}: no figure among the outputs")


def test_no_errors_or_warnings_in_outputs(nb):
    nb, path = nb
    for number, cell in enumerate(nb.cells, start=1):
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"{path.name}: cell {number} has an error output"
            if out.output_type == "stream":
                assert out.name != "stderr", f"{path.name}: cell {number} wrote to stderr: {out.text[:200]!r}"
                assert "Warning" not in out.text, f"{path.name}: cell {number} printed a warning"


def test_code_hygiene(nb):
    nb, path = nb
    assert len(nb.cells) <= MAX_CELLS, f"{path.name}: {len(nb.cells)} cells; split the notebook"
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        lines = cell.source.strip().splitlines()
        assert len(lines) <= MAX_CODE_LINES, f"{path.name}: cell {number} has {len(lines)} lines"
        assert not (lines and lines[-1].rstrip().endswith(";")), (
            f"{path.name}: cell {number} ends with ';' (breaks nbval): capture the result instead")
        assert "autoreload" not in cell.source, f"{path.name}: cell {number} uses autoreload"
        assert not re.search(r"""["'](/work|/home|/tmp|/Users|[A-Z]:\\)""", cell.source), (
            f"{path.name}: cell {number} uses an absolute path")
        assert "plt.show()" not in cell.source, f"{path.name}: cell {number} calls plt.show()"


def test_key_figure_saved_under_notebook_number(nb):
    nb, path = nb
    prefix = path.name[:2]
    sources = "\n".join(c.source for c in _code(nb))
    names = re.findall(r"""save_figure\([^,]+,\s*(?:f?["']([^"']+)["']|(\w+))""", sources)
    assert names, f"{path.name}: saves no figure with jl.save_figure (the report's thumbnail)"
    literal = [a for a, _ in names if a]
    params = nb.cells[1].source
    for _, var in names:
        if var:
            match = re.search(rf"""^{var}\s*=\s*["']([^"']+)["']""", params, re.M)
            if match:
                literal.append(match.group(1))
    assert literal and all(n.startswith(prefix + "-") for n in literal), (
        f"{path.name}: figure names {literal} must start with '{prefix}-'")
