"""Packaging: one dependency list, environment.yml in step with it, make test is the CI gate."""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions

import pytest
import yaml


@pytest.fixture(scope="module")
def pyproject(repo_root):
    return tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def environment(repo_root):
    return yaml.safe_load((repo_root / "environment.yml").read_text(encoding="utf-8"))


def _requirement_name(req: str) -> str:
    return re.split(r"[\s\[<>=!~;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _min_python(requires: str) -> tuple[int, int]:
    m = re.search(r">=\s*(\d+)\.(\d+)", requires)
    assert m, f"requires-python {requires!r} has no lower bound"
    return int(m.group(1)), int(m.group(2))


def test_environment_python_matches_pyproject(pyproject, environment):
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    pythons = [d for d in conda if re.fullmatch(r"python\s*[=<>]*.*", d)]
    assert len(pythons) == 1, conda
    version = re.search(r"(\d+)\.(\d+)", pythons[0])
    assert version, pythons[0]
    pinned = (int(version.group(1)), int(version.group(2)))
    assert pinned == _min_python(pyproject["project"]["requires-python"]) == (3, 11)


def test_environment_installs_the_package_with_existing_extras(pyproject, environment):
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    # dependencies live in pyproject only: conda provides python and pip, nothing else
    assert sorted(_requirement_name(d) for d in conda) == ["pip", "python"]
    pip_sections = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    assert len(pip_sections) == 1
    lines = [line.strip() for line in pip_sections[0]]
    assert lines == ["-e .[dev]"]
    extras = set(pyproject["project"]["optional-dependencies"])
    for line in lines:
        wanted = re.search(r"\[(.*)\]", line).group(1).split(",")
        assert set(wanted) <= extras, (wanted, extras)


def test_self_referencing_extras_exist(pyproject):
    extras = pyproject["project"]["optional-dependencies"]
    for name, reqs in extras.items():
        for req in reqs:
            m = re.fullmatch(r"journeylib\[(.*)\]", req.strip())
            if m:
                assert set(m.group(1).split(",")) <= set(extras), (name, req)


def test_pyproject_packaging_rules(pyproject):
    assert pyproject["project"]["name"] == "journeylib"
    find = pyproject["tool"]["setuptools"]["packages"]["find"]
    assert find["include"] == ["journeylib*"]
    # the test tools the Makefile uses are in the dev extra
    dev = {_requirement_name(r) for r in pyproject["project"]["optional-dependencies"]["dev"]}
    assert {"pytest", "nbval", "hypothesis", "nbconvert", "jupyterlab"} <= dev


# Imported but (so far) only installed as a hard requirement of a declared package:
# {import name: the declared distribution that requires it}.  Each entry is checked below;
# better to declare the package in pyproject.toml and drop the entry.
def test_every_third_party_import_is_declared(pyproject, repo_root):
    """Each package journeylib imports (anywhere, also lazily) is named in pyproject.toml."""
    declared = {_requirement_name(r) for r in pyproject["project"]["dependencies"]}
    for reqs in pyproject["project"]["optional-dependencies"].values():
        declared |= {_requirement_name(r) for r in reqs}
    dists = packages_distributions()
    undeclared = {}
    for path in sorted((repo_root / "journeylib").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "journeylib":
                    continue
                provided = {d.lower().replace("_", "-") for d in dists.get(top, [top])}
                if not provided & declared:
                    undeclared.setdefault(top, []).append(path.name)
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def _make_dry_run(repo_root, target):
    make = shutil.which("make")
    assert make, "make is required (the README's two commands are make targets)"
    out = subprocess.run([make, "-n", target], cwd=repo_root, capture_output=True, text=True,
                         env={**os.environ, "MAKEFLAGS": ""}, check=True)
    return out.stdout.splitlines()


def test_make_test_runs_unit_tests_doctests_and_nbval_over_notebooks(repo_root):
    lines = [ln for ln in _make_dry_run(repo_root, "test") if "-m pytest" in ln]
    assert len(lines) == 1, lines
    args = shlex.split(lines[0])
    assert {"tests", "journeylib", "notebooks"} <= set(args)
    assert "--nbval" in args and "--doctest-modules" in args
    assert "--nbval-lax" not in args  # outputs are compared, not only executed
    assert args[args.index("--nbval-sanitize-with") + 1] == "tests/nbval_sanitize.cfg"
    assert (repo_root / "tests" / "nbval_sanitize.cfg").is_file()
    assert not any(a in ("-x", "--co", "--collect-only") or a.startswith("--deselect") for a in args)


def test_make_run_and_test_install_the_dev_extra_first(repo_root):
    text = (repo_root / "Makefile").read_text(encoding="utf-8")
    assert re.search(r'pip install[^\n]*-e "?\.\[dev\]"?', text)
    for target in ("run", "test"):
        prereq = re.search(rf"^{target}:([^\n]*)$", text, flags=re.M)
        assert prereq and "$(STAMP)" in prereq.group(1), target
    run = [ln for ln in _make_dry_run(repo_root, "run") if "journeylib.report" in ln]
    assert run and "notebooks" in run[0] and "build" in run[0]


def test_ci_runs_make_test(repo_root):
    path = repo_root / ".ci" / "run"
    assert path.stat().st_mode & stat.S_IXUSR, ".ci/run must be executable"
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    code = [ln for ln in lines if ln and not ln.startswith("#")]
    assert "make test" in code
    # errors stop the script (set -e, -eu, -euo pipefail...)
    assert any(re.fullmatch(r"set -[a-z]*e[a-z]*( pipefail| -o pipefail)?", ln) for ln in code)
    assert not any("|| true" in ln or "make -k" in ln or "--nbval-lax" in ln for ln in code)
