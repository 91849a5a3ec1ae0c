"""Trusted side of the probes: read a payload back and compare values, in the grader's process.

Nothing here runs in the student's kernel: ``decode`` reads back what ``kernel.encode`` wrote
there, and ``course.judges.verdicts`` compares the values with ``compare``, or with the cell's
judge (``course/judges/<step>.py``), which imports the functions it needs from here.
"""

import io
import math
import zipfile

import numpy as np

from ..i18n import message
from .kernel import EXACT

__all__ = [
    "TOLERANCE",
    "decode",
    "relative_error",
    "compare",
    "compare_key",
    "show",
    "mask_problem",
    "on_ours",
]

#: Relative error ||a - b|| / (||a|| + ||b||) below which two float arrays agree.
TOLERANCE = 1e-7
#: Where the values came from, for the messages (English; ``on_ours()`` in the feedback's language).
ON_OURS = " on the grader's own inputs"


def on_ours():
    """ON_OURS in the language of the feedback (course.i18n)."""
    return message("probe.on_ours", " on the grader's own inputs")
#: Largest payload read back (bytes of the .npz archive; the course's largest is under 0.5 MB).
MAX_PAYLOAD = 20_000_000
#: Most members of the archive: index, errors and one array per value (the course's largest
#: probe output has a few hundred).
MAX_MEMBERS = 10_000
#: The dtype kinds the probes write: booleans, integers, floats and text.
KINDS = "biufU"


class PayloadError(ValueError):
    """The probe output cannot be read: missing, truncated, pickled or malformed."""


def _unreadable(reason):
    return PayloadError(f"the probe output cannot be read: {reason}")


def _count_members(payload):
    """The number of members the archive's end record declares, read before the zipfile module
    parses (and allocates) its directory. ``np.savez`` writes the end record last, with no
    comment: anything else is refused."""
    end = payload[-22:]
    if len(end) < 22 or end[:4] != b"PK\x05\x06":
        raise _unreadable("it is not an .npz archive as the probe cell writes it")
    return int.from_bytes(end[10:12], "little")


def _members(archive):
    """The archive's members, checked before anything is read: stored (``np.savez``, never a
    compression method the kernel does not write), unencrypted, .npy, each name once, at most
    MAX_MEMBERS, their sizes together within MAX_PAYLOAD."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise _unreadable(f"it has {len(members)} members, more than {MAX_MEMBERS}")
    names, total = set(), 0
    for member in members:
        name = repr(member.filename[:40])
        if member.compress_type != zipfile.ZIP_STORED:
            raise _unreadable(f"its member {name} uses compression method {member.compress_type}; the "
                              "grader reads only stored (uncompressed) members")
        if member.flag_bits & 0x1 or member.file_size != member.compress_size:
            raise _unreadable(f"its member {name} is encrypted or misstates its size")
        if not member.filename.endswith(".npy") or member.filename in names:
            raise _unreadable(f"it holds an unexpected member {name}")
        names.add(member.filename)
        total += member.file_size
        if total > MAX_PAYLOAD:
            raise _unreadable(f"its members hold more than {MAX_PAYLOAD} bytes")
    return members


def _array(archive, member):
    """The array of one .npy member, its header read and checked first: a version 1 or 2
    header, a dtype of a kind in KINDS (no objects, no fields), and exactly as many bytes of
    data as its shape and dtype declare, so that nothing is allocated beyond what the archive
    holds."""
    name = repr(member.filename[:40])
    with archive.open(member) as handle:
        version = np.lib.format.read_magic(handle)
        if version not in ((1, 0), (2, 0)):
            raise _unreadable(f"its member {name} has .npy version {version}")
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
            np.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = read_header(handle)
        plain = dtype.fields is None and dtype.subdtype is None and not dtype.hasobject
        if dtype.kind not in KINDS or not plain:
            raise _unreadable(f"its member {name} has dtype {dtype}")
        declared = math.prod(shape) * dtype.itemsize
        held = member.file_size - handle.tell()
        if declared != held:
            raise _unreadable(f"its member {name} declares {declared} bytes of {dtype} values of shape "
                              f"{shape[:4]} but holds {held}")
        data = handle.read(held)
    array = np.frombuffer(data, dtype=dtype, count=math.prod(shape)).copy()
    return array.reshape(shape[::-1]).T if fortran_order else array.reshape(shape)


def decode(payload):
    """{grade_id: {key: array} or error text} from the bytes of an .npz archive.

    Raises PayloadError for anything that is not exactly what ``kernel.encode`` writes, before
    allocating anything it declares: a compression method, more members or more bytes than
    the bounds, an .npy header that declares more than its member holds, objects (pickles).
    """
    if payload is None:
        raise PayloadError("the notebook printed no probe output (did the kernel die or time out?)")
    if len(payload) > MAX_PAYLOAD:
        raise PayloadError(f"the probe output is too large ({len(payload)} bytes)")
    if _count_members(payload) > MAX_MEMBERS:
        raise _unreadable(f"it declares more than {MAX_MEMBERS} members")
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            files = {member.filename[: -len(".npy")]: _array(archive, member) for member in _members(archive)}
    except PayloadError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError, TypeError, OverflowError) as error:
        raise PayloadError(f"the probe output cannot be read ({type(error).__name__}: {error})") from None
    index, errors = files.pop("index", None), files.pop("errors", None)
    if (
        index is None
        or errors is None
        or index.dtype.kind != "U"
        or errors.dtype.kind != "U"
        or index.ndim != 1
        or errors.ndim != 1
        or set(files) != {f"a{i}" for i in range(len(index))}
    ):
        raise PayloadError("the probe output is malformed")
    results = {}
    for line in errors:
        grade_id, _, message = str(line).partition("\t")
        results[grade_id] = message
    for i, line in enumerate(index):
        grade_id, _, key = str(line).partition("\t")
        values = results.setdefault(grade_id, {})
        if isinstance(values, dict):
            values[key] = files[f"a{i}"]
    return results


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||) of two float arrays of one shape (0.0 when both are zero)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def show(array):
    """A short text of an array's values for a message."""
    text = np.array2string(np.asarray(array), precision=4, threshold=12, edgeitems=3)
    return text if len(text) < 120 else text[:117] + "..."


def _label(key):
    return key[: -len(EXACT)] if key.endswith(EXACT) else key


def _kind(dtype):
    return {"b": "bool", "i": "int", "u": "int", "f": "float", "U": "text"}.get(dtype.kind, str(dtype))


def compare_key(key, got, want):
    """The problem with value ``got`` of ``key`` against the expected ``want``, or None.

    Exact dtype for floats (float64 stays float64), any integer type for integers, equal
    shapes; integers, booleans and text exactly; floats by relative error below TOLERANCE
    (bit for bit for keys marked exact), with inf and nan only where they are expected.
    """
    label = _label(key)
    if got is None:
        return message("probe.missing", "{label} is missing", label=label)
    if _kind(got.dtype) != _kind(want.dtype) or (want.dtype.kind == "f" and got.dtype != want.dtype):
        return message("probe.dtype", "{label} has dtype {got}, expected {want}", label=label, got=got.dtype,
                       want=want.dtype)
    if got.shape != want.shape:
        return message("probe.shape", "{label} has shape {got}, expected {want}", label=label, got=got.shape,
                       want=want.shape)
    if want.dtype.kind != "f":
        if not np.array_equal(got, want):
            return message("probe.value", "{label} is {got}, expected {want}", label=label, got=show(got),
                           want=show(want))
        return None
    if key.endswith(EXACT):
        if not np.array_equal(got, want, equal_nan=True):
            changed = int(np.sum(~((got == want) | (np.isnan(got) & np.isnan(want)))))
            return message("probe.inexact", "{label}: {changed} entries differ from the expected values, "
                           "even if only in the last digits", label=label, changed=changed)
        return None
    finite = np.isfinite(want)
    if not np.array_equal(np.isfinite(got), finite) or not np.array_equal(
        got[~finite], want[~finite], equal_nan=True
    ):
        return message("probe.not_finite", "{label} has inf or nan where the expected values are finite "
                       "(overflow?)", label=label)
    error = relative_error(got[finite], want[finite])
    if error >= TOLERANCE:
        return message("probe.differs", "{label} differs from the expected values{where} (relative error "
                       "{error:.2g})", label=label, where=on_ours(), error=error)
    return None


def compare(got, want, keys=None):
    """Problems of every key of ``want`` (or of ``keys``) in ``got``, by compare_key."""
    problems = []
    for key in want if keys is None else keys:
        problem = compare_key(key, got.get(key), want[key])
        if problem:
            problems.append(problem)
    return problems


def mask_problem(name, A, X, p, drop_tolerance):
    """A message unless A = X * mask, with mask 0 on a fraction of the entries within
    ``drop_tolerance`` of p and 1 / (1 - p) elsewhere (X has no zeros). None when right."""
    if A is None or A.shape != X.shape or A.dtype != np.float64:
        return message("probe.mask_array", "{name} should be a float64 array of shape {shape}", name=name,
                       shape=X.shape)
    kept = A != 0
    dropped = 1 - kept.mean()
    if abs(dropped - p) >= drop_tolerance:
        return message("probe.mask_rate", "{name} zeroed {dropped:.1%} of the entries, expected about "
                       "{p:.0%}", name=name, dropped=dropped, p=p)
    error = relative_error(A[kept], X[kept] / (1 - p))
    if error >= TOLERANCE:
        return message("probe.mask_scale", "the entries {name} kept are not X / (1 - p) (relative error "
                       "{error:.2g})", name=name, error=error)
    return None
