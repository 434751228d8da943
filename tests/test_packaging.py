"""The built wheel holds the two apps and nothing of the demo site or the checkout."""

import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The checkout's own working files: none of them goes into a wheel, and some are large.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "__pycache__", "*.egg-info", "build", "dist", ".*cache"
)


def setuptools_builds_offline() -> bool:
    """Whether this interpreter's setuptools reads the project's metadata (an SPDX licence
    expression needs 77 or later); the test extra installs such a one."""
    try:
        major = int(metadata.version("setuptools").split(".")[0])
    except (metadata.PackageNotFoundError, ValueError):
        return False
    return major >= 77


def test_the_wheel_holds_only_newsroom_and_quickquotes(tmp_path):
    # Built from a copy, so that the checkout gets no build/ or egg-info folder.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path)]
    if setuptools_builds_offline():
        command += ["--no-build-isolation", "--no-index"]
    # Otherwise pip fetches the build requirements (pyproject.toml's build-system).
    subprocess.run([*command, str(source)], check=True, timeout=120)  # noqa: S603
    (wheel,) = tmp_path.glob("newsroom-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        top = {name.split("/", 1)[0] for name in archive.namelist()}
        names = archive.namelist()
    assert top == {"newsroom", "quickquotes", "newsroom-0.1.0.dist-info"}, top
    # The apps' templates and static files come along.
    assert "newsroom/templates/newsroom/gone.html" in names
    assert any(name.startswith("newsroom/static/") for name in names)
    # And the demo content its command loads.
    assert "newsroom/demo/content.yaml" in names
    assert "newsroom/discussion/eval/comments.tsv" in names  # for moderation_eval
