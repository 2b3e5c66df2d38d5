"""nbval settings for the notebooks (STYLE.md): rich HTML is not compared, text/plain still is.

DataFrames render as both text/html and text/plain; the HTML differs between pandas versions in
markup only, so the plain-text table carries the check. SVG output embeds random ids.
"""


def pytest_collectstart(collector):
    if getattr(collector, "path", None) is not None and collector.path.suffix == ".ipynb":
        collector.skip_compare += ("text/html", "image/svg+xml")
