"""The repository names no absolute path of the machine it was made on."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.support.requirements import require_binary

ROOT = Path(__file__).resolve().parent.parent


def _machine_paths() -> list[str]:
    # Built at run time so this file does not contain them itself.
    paths = {str(ROOT) + "/", "/" + "root" + "/", "/" + "work" + "/"}
    home = os.path.expanduser("~")
    if home not in ("", "/", "~"):
        paths.add(home.rstrip("/") + "/")
    return sorted(paths)


def test_no_tracked_file_names_an_absolute_path_of_this_machine():
    git = require_binary("git", shutil.which("git"))
    if not (ROOT / ".git").exists():
        # An unpacked release (no repository): the check belongs to the checkout.
        require_binary("a git checkout of the portal", None)
    files = subprocess.run([git, "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    names = [n for n in files.decode().split("\0") if n]
    assert len(names) > 100
    needles = [p.encode() for p in _machine_paths()]
    hits = []
    for name in names:
        path = ROOT / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        for needle in needles:
            if needle in data:
                line = data[: data.index(needle)].count(b"\n") + 1
                hits.append(f"{name}:{line}: {needle.decode()}")
    assert hits == [], "absolute paths of this machine:\n" + "\n".join(hits)
