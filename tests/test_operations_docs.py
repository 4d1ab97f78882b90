"""docs/operations.md documents only commands that a test runs, and README's quick start stays two commands."""
from __future__ import annotations

import re
from pathlib import Path

from tests import test_packaging
from tests.test_packaging import DOCUMENTED_COMMANDS, OPERATIONS, doc_blocks

ROOT = Path(__file__).resolve().parent.parent


def test_every_code_block_says_what_it_is():
    text = OPERATIONS.read_text(encoding="utf-8")
    fences = re.findall(r"^[ \t]*```(.*)$", text, re.M)
    assert len(fences) % 2 == 0
    openings = fences[0::2]
    assert set(openings) <= {"sh", "ini", "text"}, openings  # sh: commands, ini: a file, text: a picture
    assert all(closing == "" for closing in fences[1::2])


def test_every_documented_command_is_run_by_a_test():
    documented = [line for block in doc_blocks("sh") for line in block]
    assert len(documented) >= 9
    untested = [line for line in documented if line not in DOCUMENTED_COMMANDS]
    assert untested == [], "commands in docs/operations.md that no test runs:\n" + "\n".join(untested)
    stale = [line for line in DOCUMENTED_COMMANDS if line not in documented]
    assert stale == [], f"listed as tested but no longer documented: {stale}"
    for runner in set(DOCUMENTED_COMMANDS.values()):
        assert callable(getattr(test_packaging, runner, None)), runner


def test_the_env_file_block_names_only_known_settings():
    from portal.config import SETTINGS

    [block] = doc_blocks("ini")
    names = [line.partition("=")[0] for line in block]
    assert "PORTAL_DATABASE_URL" in names and "PORTAL_SECRET_KEY" in names
    for name in names:
        if name.startswith("PORTAL_"):
            assert name.removeprefix("PORTAL_") in SETTINGS, name
        else:
            assert name in (ROOT / "deploy" / "gunicorn.conf.py").read_text(encoding="utf-8"), name


def test_readme_quick_start_is_two_commands_and_names_port_and_production_path():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Schnellstart", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"^```\n(.*?)^```", quick, re.M | re.S)
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == ["make run", "make test"]
    assert "make run PORT=" in quick
    assert "docs/operations.md#installation" in quick and "gunicorn" in quick
    assert "uv" in readme and "make lock" in readme
