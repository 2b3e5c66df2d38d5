"""Command line: ``python -m journeylib <command> ...``.

Commands
--------
diary FILE [--csv]
    Print the moments of a smiley diary as a table (or CSV).
report DATA [--format wide ...]
    Run the analysis suite on your own data and write build/report-<name>/.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# command -> (module, help); each module has ``add_arguments(parser)`` and ``run(args) -> int``.
COMMANDS = {
    "diary": ("journeylib.diary", "print the moments of a smiley diary"),
    "report": ("journeylib.owndata", "run the analysis suite on your own data"),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m journeylib", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    argv = sys.argv[1:] if argv is None else list(argv)
    # Import only the module of the command asked for, so one command's dependencies
    # (or a broken import) never stop another; all of them for --help.
    chosen = [argv[0]] if argv and argv[0] in COMMANDS else list(COMMANDS)
    for name, (module, help_) in COMMANDS.items():
        p = sub.add_parser(name, help=help_)
        p.set_defaults(_module=module)
        if name in chosen:
            importlib.import_module(module).add_arguments(p)
    args = parser.parse_args(argv)
    return importlib.import_module(args._module).run(args)


if __name__ == "__main__":
    sys.exit(main())
