"""The course's benchmarks, run from a checkout (not installed): ``python -m autograder
benchmark-grading`` and the other ``benchmark-*`` commands. Each is a script, not a test: its
figures depend on the machine and on what else it is doing."""
