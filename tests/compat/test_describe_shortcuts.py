"""`gto-lsp describe` with GTO's naming shortcuts (NAME@latest, NAME@vX.Y.Z, NAME#STAGE), against gto 0.2.8's
describe on the demo repository (real commits and annotated GTO tags)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from compat import gto_runner as gr

pytestmark = pytest.mark.compat
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if gr.venv_python("gto028") is None:
        pytest.skip(gr.missing_venv_message("gto028"))
    dest = tmp_path_factory.mktemp("demo") / "repo"
    subprocess.run(["bash", str(ROOT / "scripts" / "demo-repo.sh"), str(dest)], check=True, capture_output=True)
    # A later commit changes the entry, so reading at the tagged commit is visible.
    text = (dest / "artifacts.yaml").read_text().replace("Predicts which", "Now predicts which")
    (dest / "artifacts.yaml").write_text(text)
    gr.git(dest, "commit", "-qam", "later description")
    return dest


def ours(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gto_lsp", "describe", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**gr.gto_env()},
    )


NOTHING_FOUND = {
    "churn@v9.9.9": "'churn@v9.9.9': version 'v9.9.9' of 'churn' is not registered",
    "segments@latest": "'segments@latest': the commit it points at has no annotation of 'segments'",
}


@pytest.mark.parametrize(
    "args",
    [
        ["churn@latest"],
        ["churn@v0.1.0"],
        ["churn#prod"],
        ["churn#staging", "--path"],
        ["churn"],
        ["churn@v9.9.9"],
        ["segments@latest"],
        ["nosuch@latest"],
        ["churn", "--description"],
    ],
)
def test_shortcuts_like_gto028(demo: Path, args: list[str]) -> None:
    theirs = gr.describe_with_gto028(demo, args)
    mine = ours(demo, *args)
    if args[0] in NOTHING_FOUND:
        # Deliberate: gto 0.2.8 prints nothing and exits 0, which reads as an empty answer; ours says why.
        assert (theirs.exit_code, theirs.stdout) == (0, "")
        assert (mine.returncode, mine.stdout, mine.stderr) == (1, "", NOTHING_FOUND[args[0]] + "\n")
        return
    assert (mine.returncode, mine.stdout.strip()) == (theirs.exit_code, theirs.stdout.strip()), (
        f"ours: {mine.stdout!r} {mine.stderr!r}\nGTO 0.2.8: {theirs.stdout!r} {theirs.stderr!r}"
    )


def test_shortcut_with_rev_is_refused_like_gto(demo: Path) -> None:
    theirs = gr.describe_with_gto028(demo, ["churn@latest", "--rev", "HEAD"])
    mine = ours(demo, "churn@latest", "--rev", "HEAD")
    assert mine.returncode == theirs.exit_code == 1
    assert "Either specify revision or use naming shortcut." in mine.stderr
    assert "Either specify revision or use naming shortcut." in theirs.output
