"""`pip install ./python` with Debian's /usr/bin/python3, offline (no
index): the in-tree backend needs nothing from PyPI. Into a virtual
environment that sees Debian's numpy, and into a user site (Debian marks
its interpreter externally managed, so pip needs --break-system-packages
there); either way the installed package compiles and runs a model."""
import os
import subprocess

import pytest

import loom
from conftest import LOOM_ROOT

SCRIPT = ("import loom, numpy as np\n"
          "print(loom.__file__)\n"
          "f = loom.Function(lambda x: x * x, name='sq', args=[loom.tensor(3)])\n"
          "print(loom.compile(f)(np.array([1, 2, 3], np.float32)).tolist())\n")


def offline_env(**extra):
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    env.pop("PYTHONPATH", None)
    # This build's package: <build>/python_packages/loom.
    env["LOOM_BUILD"] = os.path.dirname(os.path.dirname(os.path.dirname(loom.__file__)))
    return env


@pytest.mark.parametrize("where", ["venv", "user"])
def test_pip_install_offline(tmp_path, where):
    if where == "venv":
        subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages",
                        tmp_path / "venv"], check=True)
        python, env, flags = tmp_path / "venv" / "bin" / "python", offline_env(), []
        prefix = str(tmp_path / "venv")
    else:
        python, flags = "/usr/bin/python3", ["--user", "--break-system-packages"]
        env = offline_env(PYTHONUSERBASE=str(tmp_path / "user"))
        prefix = str(tmp_path / "user")
    subprocess.run([python, "-m", "pip", "install", "-q", *flags,
                    os.path.join(LOOM_ROOT, "python")], check=True, env=env)
    done = subprocess.run([python, "-c", SCRIPT], check=True, env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    installed_at, result = done.stdout.splitlines()
    assert installed_at.startswith(prefix)
    assert result == "[1.0, 4.0, 9.0]"
