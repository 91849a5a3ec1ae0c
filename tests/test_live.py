"""Watching it learn: the progress bar's live loss curve draws in a real Jupyter kernel while a
person may watch, and nothing (nothing on stderr either) while nbgrader or the self-check runs."""

import os

import nbformat
import pytest
from nbclient import NotebookClient

from course.execution import run
from course.live import LiveLossPlot, watching

TRAINING = """\
from course.live import LiveLossPlot
from course.progress import progress_bar

history = {"loss": [], "val_loss": []}
for epoch in progress_bar(range(30), desc="epochs", history=history):
    history["loss"].append(1.0 / (epoch + 1))
    history["val_loss"].append(1.2 / (epoch + 1))
plot = LiveLossPlot(interval=0)
for n in range(1, 6):
    plot.update({"loss": history["loss"][:n]})
print("images sent:", plot.drawn)
"""


def _outputs(env):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(TRAINING)])
    NotebookClient(notebook, kernel_name="python3", timeout=60).execute(env=env)
    return notebook.cells[0].outputs


def _images(outputs):
    return [o for o in outputs if o.output_type == "display_data" and "image/png" in o.data]


@pytest.mark.slow
def test_live_loss_curve_is_drawn_and_updated_in_place_in_a_kernel():
    env = {k: v for k, v in os.environ.items() if k not in ("NBGRADER_EXECUTION", "COURSE_NONINTERACTIVE")}
    outputs = _outputs(env)
    # one curve for the progress bar's run and one for the explicit plot: each updated in place
    assert len(_images(outputs)) == 2, [o.output_type for o in outputs]
    assert "images sent: 5" in "".join(o.get("text", "") for o in outputs)
    assert not [o for o in outputs if o.get("name") == "stderr" or o.output_type == "error"]


@pytest.mark.slow
def test_nothing_is_drawn_while_nbgrader_grades():
    outputs = _outputs({**os.environ, "NBGRADER_EXECUTION": "autograde"})
    assert not _images(outputs)
    assert "images sent: 0" in "".join(o.get("text", "") for o in outputs)
    assert not [o for o in outputs if o.get("name") == "stderr" or o.output_type == "error"]


@pytest.mark.slow
def test_nothing_is_drawn_in_the_self_checks_runs(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(TRAINING)])
    run(notebook, tmp_path)
    outputs = notebook.cells[0].outputs
    assert not _images(outputs) and "images sent: 0" in "".join(o.get("text", "") for o in outputs)
    assert not [o for o in outputs if o.get("name") == "stderr" or o.output_type == "error"]


def test_outside_a_kernel_nobody_watches_and_nothing_is_drawn():
    assert not watching()
    plot = LiveLossPlot()
    plot.update({"loss": [1.0, 0.5]})
    plot.close({"loss": [1.0, 0.5]})
    assert plot.drawn == 0


def test_the_curve_is_a_labelled_png():
    png = LiveLossPlot(enabled=False)._png({"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, 0.3]})
    assert png.startswith(b"\x89PNG")
