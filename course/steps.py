"""The module name of each notebook's step: ``course.registry.STEP_MODULES``, re-exported for the
modules that import it from here (``autograder.reference``, ``course.probes``)."""

from .registry import STEP_MODULES

__all__ = ["STEP_MODULES"]
