"""Judges of notebook 07 (modularisation): build_model and train.

build_model may draw its weights in any correct way and train may shuffle in any correct way,
so these judges check properties: the layers, the scales, reproducibility; the keys of the
history, one update per mini-batch, the modes, a loss that falls, a last validation that
matches the final weights. The probes are in ``course/probes/modularization.py``.
"""

import numpy as np

from course.i18n import message
from course.probes.compare import TOLERANCE, compare, relative_error
from course.probes.modularization import ARCHITECTURE, WIDE


def judge_build_model(got, want, t):
    """The layers, shapes and zero biases as the reference's; weights reproducible for a seed,
    different for another seed and between the two 6 x 6 ReLU layers; the He and Xavier
    scales on wide layers."""
    keys = [key for key in want if key.startswith(("the kinds", "every layer", "b of", "ValueError"))]
    problems = compare(got, want, keys)
    if problems:
        return problems
    for index in range(1, len(ARCHITECTURE) + 1):
        W, again = got.get(f"W of Linear {index}"), got.get(f"W of Linear {index}, same seed again")
        shape = want[f"W of Linear {index}"].shape
        if W is None or W.shape != shape or W.dtype != np.float64:
            return [message("probe.modularization.W_shape", "W of Linear {index} should be a float64 array "
                            "of shape {shape}", index=index, shape=shape)]
        if again is None or not np.array_equal(W, again):
            return [message("probe.modularization.same_seed", "the same seed should build the same "
                            "weights")]
    if np.allclose(got["W of Linear 2"], got["W of Linear 3"]):
        return [message("probe.modularization.fresh_rng_per_layer", "the two 6x6 ReLU layers got the same "
                        "weights: one generator for the whole model, not a fresh default_rng(seed) per "
                        "layer")]
    other = got.get("W of Linear 1, another seed")
    if other is None or other.shape != got["W of Linear 1"].shape or np.allclose(other, got["W of Linear 1"]):
        return [message("probe.modularization.other_seed", "a different seed should build different "
                        "weights")]
    for index, expected in enumerate(WIDE[1], start=1):
        W = got.get(f"W of wide Linear {index}")
        spec = WIDE[0][index - 1]
        if W is None or W.shape != (spec["input_dim"], spec["output_dim"]):
            return [message("probe.modularization.wide_shape", "W of wide Linear {index} has the wrong "
                            "shape", index=index)]
        if not 0.95 < W.std() / expected < 1.05:
            return [message("probe.modularization.scale", "the weights of a {shape} Linear before "
                            "{activation} have std {std:.4f}, expected {expected:.4f} (He before ReLU, "
                            "Xavier otherwise)", shape=W.shape, activation=spec["activation"], std=W.std(),
                            expected=expected)]
    return []


def judge_train(got, want, t):
    """The history's keys and lengths, floats, a falling loss, the update and batch counts,
    the modes, the mean loss with lr = 0, reproducibility, and the last validation."""
    keys = [
        key
        for key in want
        if key.endswith((": keys", "are floats", "updates"))
        or key.startswith(("history['loss']", "three classes: X_val", "three classes: labels_val"))
    ]
    problems = compare(got, want, keys)
    if problems:
        return problems
    for key in ("loss", "val_loss", "val_accuracy"):
        if got[f"blobs: {key}"].shape != (15,):
            return [message("probe.modularization.history_length", "history[{key!r}] should have one entry "
                            "per epoch (15)", key=key)]
    loss, accuracy = got["blobs: loss"], got["blobs: val_accuracy"]
    if not loss[-1] < 0.5 * loss[0]:
        return [message("probe.modularization.loss_falls", "the training loss did not fall on an easy "
                        "problem: {first:.3f} -> {last:.3f}", first=loss[0], last=loss[-1])]
    if not accuracy[-1] >= 0.9:
        return [message("probe.modularization.blobs_accuracy", "validation accuracy {accuracy} on two "
                        "separated blobs: expected at least 0.9 (a fraction)", accuracy=accuracy[-1])]
    for label, epochs, sizes in (("batches of 5", 3, [3, 5, 5, 5, 5]), ("batches of 30", 4, [23])):
        flags, means = got[f"{label}: forward training flags"], got[f"{label}: forward input means"]
        batch_sizes = got[f"{label}: forward batch sizes"]
        if not flags.shape == means.shape == batch_sizes.shape or flags.ndim != 1:
            return [message("probe.modularization.spy_records", "the spy layer's records do not fit "
                            "together")]
        validation, training = flags[means > 50], flags[means <= 50]
        if sorted(batch_sizes[means <= 50].tolist()) != sorted(sizes * epochs):
            return [message("probe.modularization.batch_sizes", "{label}: the mini-batches of 23 samples "
                            "had sizes {got}, expected {sizes} in each of {epochs} epochs (the last "
                            "partial batch included)", label=label, got=batch_sizes[means <= 50].tolist(),
                            sizes=sizes, epochs=epochs)]
        if label == "batches of 5" and (len(validation) < epochs or validation.any()):
            return [message("probe.modularization.validation_mode", "validation must run once per epoch, "
                            "in evaluation mode")]
        if not training.all():
            return [message("probe.modularization.training_mode", "some mini-batches ran in evaluation "
                            "mode: call model.train() at the start of every epoch")]
        if label == "batches of 5":
            per_epoch = means[means <= 50].reshape(epochs, len(sizes))
            if any(np.array_equal(per_epoch[i], per_epoch[j]) for i in range(epochs) for j in range(i)):
                return [message("probe.modularization.epoch_order", "two epochs gave the mini-batches in "
                                "the same order: make one generator np.random.default_rng(seed) before "
                                "the first epoch, not a new one every epoch")]
    for label in ("seed 3", "seed 3 again", "seed 4"):
        if (
            got.get(f"{label}: losses") is None
            or got[f"{label}: losses"].shape != (5,)
            or got.get(f"{label}: W after training") is None
        ):
            return [message("probe.modularization.seeded_run", "the run with {label} did not give 5 losses "
                            "and the trained weights", label=label)]
    if not (
        np.array_equal(got["seed 3: losses"], got["seed 3 again: losses"])
        and np.array_equal(got["seed 3: W after training"], got["seed 3 again: W after training"])
    ):
        return [message("probe.modularization.same_seed_runs", "two runs with the same seed should give "
                        "the same history and weights")]
    if np.array_equal(got["seed 3: losses"], got["seed 4: losses"]):
        return [message("probe.modularization.seed_ignored", "seeds 3 and 4 gave the same losses: shuffle "
                        "the mini-batches with the seeded generator")]
    W, b = got.get("three classes: final W"), got.get("three classes: final b")
    if W is None or b is None or W.shape != (2, 3) or b.shape != (3,):
        return [message("probe.modularization.final_weights", "the three-class model's final weights are "
                        "missing")]
    Z = want["three classes: X_val"] @ W + b
    labels = want["three classes: labels_val"]
    log_P = Z - np.logaddexp.reduce(Z, axis=1, keepdims=True)   # log-softmax, written unlike 06's
    expected = {
        "last val_loss": -np.mean(log_P[np.arange(len(labels)), labels]),
        "last val_accuracy": np.mean(Z.argmax(axis=1) == labels),
    }
    for key, value in expected.items():
        if relative_error(got[f"three classes: {key}"], value) >= TOLERANCE:
            return [message("probe.modularization.last_validation", "history's {key} is {got:.6g}, but the "
                            "final weights give {value:.6g} on the validation data", key=key,
                            got=float(got[f"three classes: {key}"]), value=value)]
    return []


JUDGES = {
    "test_build_model": judge_build_model,
    "test_train": judge_train,
}
