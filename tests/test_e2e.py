"""End to end in a real browser: the student lab and the journey explorer in JupyterLab.

One JupyterLab server (127.0.0.1, a free port, a token, throw-away config/runtime/workspace/settings
folders, a copy of notebooks/) and one headless Chromium (Debian's, driven by Python Playwright, no
browser download) serve the whole module.  The tests run notebooks 06 and 10, change widgets as a
student or a researcher would, and compare what the page shows with what JourneyBuilder and
JourneyExplorer compute in this process for the same state: the numbers, the figure in words
(folded under the image) and the figure's pixels.  Screenshots go to build/e2e/.

Both the server and the browser are stopped by their own handles and process ids; the last teardown
asserts that no process they started survives.

Enable: ``apt-get install chromium fonts-noto-color-emoji`` (as root; ``.ci/run`` does it) and
``pip install playwright`` (in the dev extra).  Never ``playwright install``: the tests use
``shutil.which("chromium")``.  ``JOURNEYLIB_E2E=0`` skips them.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import matplotlib
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "e2e"
CHROMIUM = shutil.which("chromium")
HOW = ("install Debian's Chromium and an emoji font (as root: apt-get install chromium "
       "fonts-noto-color-emoji; .ci/run does this) and Python Playwright (pip install playwright, "
       "in the dev extra; no `playwright install` needed)")

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

if os.environ.get("JOURNEYLIB_E2E", "1") == "0":
    pytest.skip("browser tests switched off with JOURNEYLIB_E2E=0", allow_module_level=True)
if CHROMIUM is None or sync_playwright is None:
    missing = " and ".join(n for n, ok in (("chromium", CHROMIUM), ("playwright", sync_playwright)) if not ok)
    pytest.skip(f"browser tests need {missing}: {HOW}", allow_module_level=True)

import psutil  # noqa: E402

import journeylib as jl  # noqa: E402
from journeylib.exercises import EX2_SCORES  # noqa: E402
from journeylib.widgets import (  # noqa: E402
    BUILDER_RULES,
    FACE_OPTIONS,
    JourneyBuilder,
    JourneyExplorer,
    check_answer,
    exercise_truth,
)

pytestmark = pytest.mark.e2e

# a busy 2-core machine: generous, but every wait is for a state
TIMEOUT_MS = int(float(os.environ.get("JOURNEYLIB_E2E_TIMEOUT", "180")) * 1000)
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


# --- processes ------------------------------------------------------------------------------------

def _descendants():
    return {p.pid: p for p in psutil.Process().children(recursive=True)}


def _alive(procs):
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def _stop(procs, timeout=15):
    """Wait for `procs` to end, then terminate and kill the ones left, each by its own pid."""
    _, alive = psutil.wait_procs(_alive(procs), timeout=timeout)
    for p in alive:
        p.terminate()
    _, alive = psutil.wait_procs(alive, timeout=5)
    for p in alive:
        p.kill()
    psutil.wait_procs(alive, timeout=5)
    return alive


@pytest.fixture(scope="module")
def no_stray_processes():
    """Torn down last: every process the module started (server, kernels, browser) is gone."""
    before = set(_descendants())
    yield
    left = [p for pid, p in _descendants().items() if pid not in before]
    left = _alive(left)
    names = [f"{p.pid} {p.name()}" for p in left]
    _stop(left, timeout=1)
    assert not names, f"processes started by the browser tests survived their teardown: {names}"


# --- JupyterLab --------------------------------------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base, token, path, method="GET"):
    req = urllib.request.Request(f"{base}{path}", method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None


def _settings(folder):
    """User settings for this server only: no news or update prompts, every cell kept in the page."""
    files = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    }
    for name, value in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")


@pytest.fixture(scope="module")
def lab_server(no_stray_processes, tmp_path_factory):
    """`jupyter lab` on a copy of notebooks/, on 127.0.0.1 with a token; stopped by its pid afterwards."""
    tmp = tmp_path_factory.mktemp("lab")
    notebooks = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    _settings(tmp / "settings")
    port, token = _free_port(), secrets.token_hex(24)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # notebooks keep the inline backend
    env.update(JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTER_DATA_DIR=str(tmp / "data"), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"), IPYTHONDIR=str(tmp / "ipython"),
               JUPYTER_PREFER_ENV_PATH="1", PYTHONUNBUFFERED="1",
               JOURNEYLIB_FIGURES_DIR=str(tmp / "figures"))  # save_figure: not into build/
    env.setdefault("JOURNEYLIB_DATA_MIRROR", str(ROOT.parent / "shared" / "data"))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={notebooks}", "--LabApp.expose_app_in_browser=True",
           "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--MappingKernelManager.default_kernel_name=python3"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(cmd, cwd=notebooks, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{(tmp / 'server.log').read_text()[-3000:]}")
            try:
                _api(base, token, "/api/status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer in 120 s:\n{(tmp / 'server.log').read_text()[-3000:]}")
                time.sleep(0.3)
        yield {"base": base, "token": token, "root": notebooks, "proc": proc, "log": tmp / "server.log"}
    finally:
        server = psutil.Process(proc.pid)
        started = [server, *server.children(recursive=True)]  # the kernels among them
        try:
            for kernel in _api(base, token, "/api/kernels") or []:
                _api(base, token, f"/api/kernels/{kernel['id']}", method="DELETE")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        proc.terminate()  # SIGTERM: the server shuts its kernels down and exits
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        _stop(started)
        log.close()


# --- the browser -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def page(no_stray_processes, lab_server, tmp_path_factory):
    """One headless Chromium page; closed by its handle, its processes checked by pid."""
    before = set(_descendants())
    pw = sync_playwright().start()
    profile = tmp_path_factory.mktemp("chromium-profile")
    context = pw.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROME_ARGS,
        viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
    server = psutil.Process(lab_server["proc"].pid)
    theirs = {server.pid, *(c.pid for c in server.children(recursive=True))}
    # the Playwright driver and the browser: new since the launch, and not the server's kernels
    started = [p for pid, p in _descendants().items() if pid not in before and pid not in theirs]
    assert any("chrom" in p.name().lower() for p in started), [p.name() for p in started]
    try:
        pg = context.pages[0] if context.pages else context.new_page()
        pg.set_default_timeout(TIMEOUT_MS)
        SHOTS.mkdir(parents=True, exist_ok=True)
        yield pg
    finally:
        context.close()
        pw.stop()
        _stop(started)


def _open(page, server, name):
    """Open notebook `name`, wait for its kernel, clear the stored outputs and run all cells."""
    page.goto(f"{server['base']}/lab/tree/{name}?token={server['token']}&reset")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.context"
                           f" && window.jupyterapp.shell.currentWidget.context.path === {json.dumps(name)}")
    page.evaluate("""async () => {
        const app = window.jupyterapp, panel = app.shell.currentWidget;
        await panel.context.ready;
        await panel.sessionContext.ready;
        await app.commands.execute('notebook:clear-all-cell-outputs');
        await app.commands.execute('notebook:run-all-cells');
    }""")
    # a stored output cannot pass for a fresh one: the outputs were cleared first
    _wait(page, """() => {
        const panel = window.jupyterapp.shell.currentWidget, cells = panel.content.model.cells;
        let done = cells.length > 0;
        for (let i = 0; i < cells.length; i++) {
            const cell = cells.get(i);
            if (cell.type === 'code' && cell.executionCount === null) done = false;
        }
        const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
        return done && kernel !== null && kernel.status === 'idle';
    }""", f"every cell of {name} run")
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, f"{name}: {errors.first.inner_text()[:500]}"


def _panel(page):
    """The notebook on show (others may stay open, hidden, in the workspace)."""
    return page.locator(".jp-NotebookPanel:visible")


def _wait_figure(page, cell, want):
    """Wait until the figure in `cell` is described by `want` (the folded words under the image)."""
    _wait(page, "([el, want]) => { const p = el.querySelector('details.journeylib-figure-text p');"
          " return p !== null && el.querySelector('img.widget-image') !== null && p.textContent === want; }",
          f"the figure: {want[:60]}", arg=[cell.element_handle(), want])
    return cell.locator("img.widget-image")


def _wait(page, js, what, arg=None):
    """page.wait_for_function, with a screenshot and the cells' prompts when it times out."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(js, arg=arg)
    except PlaywrightTimeout:
        shot = SHOTS / f"failed-{re.sub(r'[^a-z0-9]+', '-', what.lower())}.png"
        page.screenshot(path=shot)
        prompts = page.locator(".jp-InputPrompt").all_text_contents()
        raise AssertionError(f"timed out waiting for {what} ({TIMEOUT_MS / 1000:.0f} s); prompts "
                             f"{prompts[:40]}; screenshot {shot}") from None


def _dropdown(scope, label):
    return scope.locator(".widget-dropdown", has=scope.page.locator("label", has_text=label)).locator("select")


def _png_of(img):
    """The bytes of an <img> as the browser holds them."""
    data = img.evaluate("""async (el) => {
        const r = await fetch(el.src); const b = new Uint8Array(await r.arrayBuffer());
        let s = ''; for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
        return btoa(s);
    }""")
    return base64.b64decode(data)


def _pixels(png):
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype="int16")


def _same_picture(shown, expected, other):
    """`shown` is `expected` (up to anti-aliasing noise) and clearly not `other`."""
    a, b, c = _pixels(shown), _pixels(expected), _pixels(other)
    assert a.shape == b.shape, f"figure is {a.shape[:2]}, expected {b.shape[:2]}"
    diff = np.abs(a - b).mean()
    assert diff < 0.5, f"the figure differs from the expected one (mean pixel difference {diff:.2f})"
    if a.shape == c.shape:
        assert np.abs(a - c).mean() > 5 * max(diff, 0.05), "the figure did not change with the state"


def _rendered_like_the_kernel(make):
    """Render a widget figure here with the notebook's theme (jl.set_theme), then restore rcParams."""
    with matplotlib.rc_context():
        jl.set_theme()
        return make()


def _builder_png(builder):
    return _rendered_like_the_kernel(lambda: (builder.widget(), builder.controls["image"].value)[1])


def _text(s):
    return re.sub(r"\s+", " ", s.replace("**", "")).strip()


# --- the student lab ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab06(page, lab_server):
    _open(page, lab_server, "06-student-lab.ipynb")
    return page


def _builder_cell(page):
    return _panel(page).locator(".jp-OutputArea-output", has=page.locator("label", has_text="customer's rule"))


def _wait_builder(page, cell, builder):
    head = _text(builder.numbers_html().split("</b>")[0].split("<b>")[1])
    cell.locator(".widget-html-content", has_text=head).wait_for()
    return _wait_figure(page, cell, builder.describe())


def test_kernel_is_the_journeylib_kernel(lab06, lab_server):
    """What `make lab` promises: the notebooks' kernelspec is the venv's journeylib kernel."""
    specs = _api(lab_server["base"], lab_server["token"], "/api/kernelspecs")
    import nbformat

    meta = nbformat.read(ROOT / "notebooks" / "06-student-lab.ipynb", as_version=4).metadata.kernelspec
    spec = specs["kernelspecs"][meta["name"]]["spec"]
    assert Path(spec["argv"][0]).resolve() == Path(sys.executable).resolve()  # journeylib's Python
    if (Path(sys.prefix) / "share" / "jupyter" / "kernels" / meta["name"]).is_dir():  # make install's
        assert spec["display_name"] == meta["display_name"] == "Python 3 (journeylib)"
    sessions = _api(lab_server["base"], lab_server["token"], "/api/sessions")
    assert [s["kernel"]["name"] for s in sessions if s["path"].endswith("06-student-lab.ipynb")] == ["python3"]


def test_builder_follows_a_face_and_the_rule(lab06):
    page = lab06
    cell = _builder_cell(page)
    cell.scroll_into_view_if_needed()
    start = JourneyBuilder(EX2_SCORES, rule="peak_end")  # the notebook's parameters: SCORES None, RULE
    img = _wait_builder(page, cell, start)
    start_png = _png_of(img)
    _same_picture(start_png, _builder_png(JourneyBuilder(EX2_SCORES, rule="peak_end")),
                  _builder_png(JourneyBuilder(EX2_SCORES, rule="peak_end").set_score(6, 2)))
    cell.screenshot(path=SHOTS / "06-builder-start.png")

    # the student makes the follow-up email very happy: under peak-end it becomes peak and end
    labels = dict((v, k) for k, v in FACE_OPTIONS)
    _dropdown(cell, "follow-up email").select_option(label=labels[2])
    happy = JourneyBuilder(EX2_SCORES, rule="peak_end").set_score(6, 2)
    img = _wait_builder(page, cell, happy)
    nums = happy.numbers().iloc[0]
    assert f"predicted journey rating (peak_end): {nums['predicted_score']:+.2f}" in cell.inner_text()
    assert nums["predicted_score"] == pytest.approx(2.0)
    happy_png = _png_of(img)
    assert happy_png != start_png
    _same_picture(happy_png, _builder_png(JourneyBuilder(EX2_SCORES).set_score(6, 2)), start_png)
    cell.screenshot(path=SHOTS / "06-builder-face.png")

    # and then the customer averages instead
    _dropdown(cell, "customer's rule").select_option(label=f"mean: {BUILDER_RULES['mean']}")
    mean = JourneyBuilder(EX2_SCORES).set_score(6, 2).set_rule("mean")
    img = _wait_builder(page, cell, mean)
    nums = mean.numbers().iloc[0]
    assert f"predicted journey rating (mean): {nums['predicted_score']:+.2f}" in cell.inner_text()
    assert nums["predicted_score"] == pytest.approx(np.mean([*EX2_SCORES[:-1], 2]))
    _same_picture(_png_of(img), _builder_png(JourneyBuilder(EX2_SCORES, rule="mean").set_score(6, 2)),
                  happy_png)
    cell.screenshot(path=SHOTS / "06-builder-rule.png")
    page.screenshot(path=SHOTS / "06-page.png")


def test_exercise_answer_gets_its_verdict(lab06):
    page = lab06
    cells = _panel(page).locator(".jp-CodeCell")
    index = cells.evaluate_all("(els) => els.findIndex(e => e.textContent.includes("
                               "'the mean smiley of the nine moments'))")
    assert index >= 0
    cell = cells.nth(index)  # by position: the text that found it is typed over
    cell.scroll_into_view_if_needed()
    truth = exercise_truth("ex1")
    for answer, verdict in ((truth["rating"], "Not quite."), (round(truth["mean_score"], 2), "Right.")):
        editor = cell.locator(".cm-content")
        editor.click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(f'answer = {answer!r}\njl.widgets.check_answer("ex1", answer)')
        page.keyboard.press("Shift+Enter")
        expected = _text(check_answer("ex1", answer)._repr_markdown_())
        assert expected.startswith(verdict)
        out = cell.locator(".jp-RenderedMarkdown", has_text=verdict)
        out.wait_for()
        assert _text(out.inner_text()) == expected
    cell.screenshot(path=SHOTS / "06-exercise.png")


# --- the explorer -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab10(page, lab_server):
    _open(page, lab_server, "10-journey-explorer.ipynb")
    return page


def _seed_explorer(**state):
    """The notebook's first explorer (parameters RULE, JOURNEY) in the state the test puts it in."""
    base = {"rule": "mean", "gap_filter": "paypal", "journey": "paypal-claim", "lanes": "actor"}
    return JourneyExplorer(jl.load_seed_cases(), **(base | state))


def _explorer_png(ex):
    return _rendered_like_the_kernel(lambda: (ex.widget(), ex.controls["image"].value)[1])


def _wait_explorer(page, cell, ex):
    from bs4 import BeautifulSoup

    want = [td.get_text() for td in BeautifulSoup(ex.counts_html(), "html.parser").find_all("td")]
    _wait(page, "([el, want]) => { const t = el.querySelector('table.journeylib-explorer-summary');"
          " return t !== null && JSON.stringify([...t.querySelectorAll('td')].map(c => c.textContent))"
          " === JSON.stringify(want); }", f"the summary row {want}", arg=[cell.element_handle(), want])
    return _wait_figure(page, cell, ex.describe())


def test_explorer_follows_the_chosen_journey(lab10):
    page = lab10
    cell = _panel(page).locator(".jp-OutputArea-output", has=page.locator("label", has_text="segment by")).first
    cell.scroll_into_view_if_needed()
    start = _seed_explorer()
    img = _wait_explorer(page, cell, start)
    assert f"{start.counts()['selected']} of 5 journeys selected" in _text(cell.inner_text())
    start_png = _png_of(img)
    cell.screenshot(path=SHOTS / "10-explorer-start.png")

    chosen = _seed_explorer(journey="laptop-refund")
    label = dict((v, k) for k, v in chosen._journey_options())["laptop-refund"]
    _dropdown(cell, "journey").select_option(label=label)
    img = _wait_explorer(page, cell, chosen)
    row = chosen.summary_row().iloc[0]
    text = _text(cell.inner_text())
    assert "laptop-refund" in text and f"{row['gap']:+.2f}" in text
    curve = chosen.curve_values()
    laptop = jl.load_seed_cases().query("journey_id == 'laptop-refund'").sort_values("step")
    np.testing.assert_allclose(curve, laptop["score"].to_numpy() / 2)  # smiley5 -> valence
    shown = _png_of(img)
    _same_picture(shown, _explorer_png(_seed_explorer(journey="laptop-refund")), start_png)
    cell.screenshot(path=SHOTS / "10-explorer-journey.png")

    # the segment follows too: any gap, journeys with a delivery moment, then their mean curve
    segment = _seed_explorer(journey="laptop-refund").set_filter("all").set_segment("channel")
    _dropdown(cell, "gap filter").select_option(label="any gap")
    _dropdown(cell, "segment by").select_option(label="channel")
    _wait_explorer(page, cell, segment)  # the callbacks' own order: the first value comes first
    n = segment.segment_values("channel")["delivery"]
    _dropdown(cell, "value").select_option(label=f"delivery ({n:,})")
    segment.set_segment("channel", "delivery")
    _wait_explorer(page, cell, segment)
    mean_label = dict((v, k) for k, v in segment._journey_options())[None]
    _dropdown(cell, "journey").select_option(label=mean_label)
    segment.set_journey(None)
    img = _wait_explorer(page, cell, segment)
    cases = jl.load_seed_cases()
    ids = cases.loc[cases["channel"] == "delivery", "journey_id"].unique()
    assert sorted(segment.selected_ids()) == sorted(ids) and len(ids) == 2
    rows = cases[cases["journey_id"].isin(ids)]
    np.testing.assert_allclose(segment.curve_values(), (rows["score"] / 2).groupby(rows["step"]).mean())
    assert f"mean of {len(ids)} journeys" in _text(cell.inner_text())
    _same_picture(_png_of(img), _explorer_png(_seed_explorer(gap_filter="all", journey=None,
                                                             segment=("channel", "delivery"))), shown)
    cell.screenshot(path=SHOTS / "10-explorer-segment.png")
    page.screenshot(path=SHOTS / "10-page.png")
