"""docs/Python.md's code blocks, run in order as one script (my_model.py,
the name the tutorial's error message shows): the tutorial cannot drift
from the package."""
import os
import re
import runpy

from conftest import LOOM_ROOT


def test_tutorial_runs(tmp_path, monkeypatch, capsys):
    with open(os.path.join(LOOM_ROOT, "docs", "Python.md")) as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), re.S)
    assert len(blocks) >= 5
    script = tmp_path / "my_model.py"
    script.write_text("".join(blocks))
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(script), run_name="__main__")
    printed = capsys.readouterr().out
    assert "['proj', 'block']" in printed
    assert re.search(r"my_model\.py:\d+:12: error: 'lut.linear' op x's last "
                     r"dimension must be K = 128", printed)
