"""`pip install ./python` with Debian's interpreter, offline (no index):
the in-tree backend needs nothing from PyPI; the installed package
compiles and runs a model."""
import os
import subprocess

from conftest import LOOM_ROOT


def test_pip_install_offline(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", venv],
                   check=True)
    python = venv / "bin" / "python"
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PYTHONPATH", None)
    build = os.path.dirname(os.path.dirname(os.path.abspath(__import__("loom").__file__)))
    env["LOOM_BUILD"] = os.path.dirname(build)
    subprocess.run([python, "-m", "pip", "install", "-q", os.path.join(LOOM_ROOT, "python")],
                   check=True, env=env)
    script = ("import loom, numpy as np\n"
              "print(loom.__file__)\n"
              "f = loom.Function(lambda x: x * x, name='sq', args=[loom.tensor(3)])\n"
              "print(loom.compile(f)(np.array([1, 2, 3], np.float32)).tolist())\n")
    done = subprocess.run([python, "-c", script], check=True, env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    where, result = done.stdout.splitlines()
    assert where.startswith(str(venv))
    assert result == "[1.0, 4.0, 9.0]"
