"""The compile cache: a library per (module, options, build, machine).

As Triton and torch.compile do, `loom.compile` keeps what it builds under
$LOOM_CACHE_DIR (default ~/.cache/loom), keyed by a SHA-256 of the module's
text (without locations: the same model built from other lines hits), the
compile options, the contents of the extension and of the runtime library
the models link, and the host CPU and its features. LOOM_DISABLE_CACHE=1
(or compile(..., cache=False)) turns it off; the directory may be deleted
at any time.
"""
import hashlib
import os
import shutil
import tempfile

from . import _loom

_build = None


def directory():
    if os.environ.get("LOOM_DISABLE_CACHE", "0") not in ("", "0"):
        return None
    return os.environ.get("LOOM_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "loom")


def _file_digest(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _build_identity():
    global _build
    if _build is None:
        inputs = _loom.build_inputs()
        _build = "\n".join([_file_digest(_loom.__file__),
                            _file_digest(inputs["runtime_library"]),
                            inputs["host_cpu"], inputs["host_features"]])
    return _build


def key(module_text, options):
    digest = hashlib.sha256(_build_identity().encode())
    digest.update(module_text.encode())
    for name in sorted(options):
        value = options[name]
        if name == "load_decisions" and value:
            value = _file_digest(value)
        digest.update(f"\n{name}={value}".encode())
    return digest.hexdigest()


def lookup(root, digest):
    library = os.path.join(root, digest, "libmodel.so")
    return library if os.path.exists(library) else None


def store(root, digest, build):
    """Runs build(library_path) in a scratch directory and moves the result
    into place; a concurrent writer of the same key wins harmlessly."""
    os.makedirs(root, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix=f"{digest[:16]}.", dir=root)
    try:
        build(os.path.join(scratch, "libmodel.so"))
        try:
            os.rename(scratch, os.path.join(root, digest))
        except OSError:  # Another process stored it first.
            shutil.rmtree(scratch, ignore_errors=True)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return os.path.join(root, digest, "libmodel.so")
