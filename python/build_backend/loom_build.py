"""A PEP 517 backend that packs the `loom` package of a Loom build.

CMake builds the extension (loom._loom) and lays the package out in
<build>/python_packages/loom; this backend only zips that directory into a
wheel for this interpreter. It imports nothing outside the standard library,
so pip needs no network to install it. The build directory is $LOOM_BUILD,
or build/ at the repository root (as scripts/setup.sh makes it).
"""
import base64
import hashlib
import importlib.machinery
import os
import sys
import sysconfig
import zipfile

NAME, VERSION = "loom", "0.1.0"
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _package_dir():
    build = os.environ.get("LOOM_BUILD", os.path.join(_ROOT, "build"))
    package = os.path.join(build, "python_packages", NAME)
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    if not os.path.exists(os.path.join(package, "_loom" + suffix)):
        raise RuntimeError(
            f"no loom/_loom{suffix} in {build}/python_packages: build Loom first "
            f"(./scripts/test.sh, or cmake --build {build}); set LOOM_BUILD for "
            "another build directory")
    return package


def _tag():
    python = f"cp{sys.version_info.major}{sys.version_info.minor}"
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"{python}-{python}-{platform}"


def _metadata():
    with open(os.path.join(_ROOT, "python", "README.md")) as f:
        readme = f.read()
    return (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n"
            "Summary: Loom: build, compile ahead of time and run low-bit, MoE "
            "and workflow models from Python\nRequires-Python: >=3.11\n"
            "Requires-Dist: numpy\nDescription-Content-Type: text/markdown\n\n"
            + readme)


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"{path},sha256={digest.decode()},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    package = _package_dir()
    wheel_name = f"{NAME}-{VERSION}-{_tag()}.whl"
    info = f"{NAME}-{VERSION}.dist-info"
    files = []
    for directory, subdirs, names in os.walk(package):
        subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".pyc"):
                continue
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                files.append((os.path.relpath(path, os.path.dirname(package)), f.read()))
    files.append((f"{info}/METADATA", _metadata().encode()))
    files.append((f"{info}/WHEEL", (
        "Wheel-Version: 1.0\nGenerator: loom_build\nRoot-Is-Purelib: false\n"
        f"Tag: {_tag()}\n").encode()))
    record = [_record_line(p, d) for p, d in files] + [f"{info}/RECORD,,"]
    files.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode()))
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w",
                         zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files:
            wheel.writestr(path, data)
    return wheel_name
