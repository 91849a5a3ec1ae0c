"""One argparse command line per package: ``python -m course`` and ``python -m autograder``.

A command is a module with two functions: ``add_arguments(parser)`` declares its options and their
help, ``run(args)`` does the job with the parsed ``args`` and returns the exit code (raising
``UsageError`` for a mistake in the command line that only the job can see). Only the module of the
command being run is imported, so the list of commands (``--help``) stays quick; an unknown
command or option is argparse's error (exit code 2), and ``COMMAND --help`` only prints.
"""

import argparse
import importlib


class UsageError(Exception):
    """A mistake in the command line, found by a command's ``run``: printed as argparse prints its
    own errors (usage line, message, exit code 2), never as a traceback."""


def assignment_name(name):
    """An argparse ``type`` for an assignment name: ``name`` itself, or argparse's error naming
    the course's assignments (``choices`` cannot be used with ``nargs='*'``)."""
    from .registry import ASSIGNMENTS

    if name not in ASSIGNMENTS:
        raise argparse.ArgumentTypeError(f"unknown assignment {name!r}: one of {', '.join(ASSIGNMENTS)}")
    return name


def build_parser(prog, description, commands, chosen=None):
    """The parser of ``commands`` ({name: (module name, one-line help)}); the options of
    ``chosen`` (a command name, or None) are declared by importing its module."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, summary) in commands.items():
        subparser = subparsers.add_parser(name, help=summary, description=summary)
        if name == chosen:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name.split(".")[0]:
                    raise
                parser.error(f"{name} needs {error.name}/, which is not installed: run it from the "
                             "repository's root folder")
            if module.__doc__:
                subparser.description = module.__doc__.split("\n\n")[0]
            module.add_arguments(subparser)
            subparser.set_defaults(run=module.run, parser=subparser)
    return parser


def main(prog, description, commands, argv):
    """Parse ``argv`` (the arguments after ``prog``) and run the command it names: its exit code."""
    chosen = argv[0] if argv and argv[0] in commands else None
    args = build_parser(prog, description, commands, chosen).parse_args(argv)
    try:
        return args.run(args)
    except UsageError as error:
        args.parser.error(str(error))
