"""check's text summary and its GitHub output (annotations capped per level, escaping, the job summary), on real
repositories through the command line and, for the bounds, on findings made here."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from gto_lsp.cli.github import SUMMARY_ROWS, escape_property
from gto_lsp.cli.report import Finding, summary_line, write_report
from helpers.cli import run
from helpers.git import git

pytestmark = pytest.mark.usefixtures("git_env")

# Two errors and a warning in artifacts.yaml; an error in a dvc.yaml whose folder name GitHub's commands must escape.
ODD = "we,ird: 100%"
ANNOTATIONS = "a.b: {}\nrf:\n  path: gone.pkl\n  virtual: false\n  descripton: x\n"
DVC = "artifacts:\n  clf:\n    path: clf.pkl\n    dsc: typo\n"
COMMAND = re.compile(r"^::(error|warning|notice) (.*?)::(.*)$")


@pytest.fixture
def broken(repo: Path) -> Path:
    (repo / "artifacts.yaml").write_text(ANNOTATIONS)
    (repo / ODD).mkdir()
    (repo / ODD / "clf.pkl").write_text("clf")
    (repo / ODD / "dvc.yaml").write_text(DVC)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "broken")
    return repo


def finding(severity: str, n: int = 1, *, path: str = "artifacts.yaml", message: str = "m") -> Finding:
    return Finding(path, path, n, 1, n, 2, severity, "unknown-field", message, "rf")


def commands(out: str) -> list[tuple[str, dict[str, str], str]]:
    """The workflow commands printed: (level, properties as written, message as written)."""
    found = []
    for line in out.splitlines():
        match = COMMAND.match(line)
        if match:
            properties = dict(item.split("=", 1) for item in match.group(2).split(","))
            found.append((match.group(1), properties, match.group(3)))
    return found


def test_text_ends_with_a_summary_line_and_json_stays_a_list(broken: Path) -> None:
    code, out, _ = run("check", cwd=broken)
    lines = out.splitlines()
    assert code == 1
    assert lines[-1] == "3 errors, 1 warning in 2 files"
    assert len(lines) == 5 and all(":" in line for line in lines[:-1])
    rows = json.loads(run("check", "--format", "json", cwd=broken)[1])
    assert isinstance(rows, list) and len(rows) == 4 and "path" not in rows[0]
    # From a sub-folder the lines name files from there; the summary counts the same.
    code, out, _ = run("check", cwd=broken / ODD)
    assert out.splitlines()[-1] == "3 errors, 1 warning in 2 files"
    assert "../artifacts.yaml:1:1: error invalid-name" in out


def test_a_clean_repository_says_so(repo: Path) -> None:
    (repo / "artifacts.yaml").write_text("rf:\n  path: models/rf.pkl\n")
    assert run("check", cwd=repo)[:2] == (0, "No problems found\n")
    assert run("check", "--format", "json", cwd=repo)[:2] == (0, "[]\n")


def test_summary_counts_each_severity_in_the_singular_or_the_plural() -> None:
    assert summary_line([]) == "No problems found"
    assert summary_line([finding("error")]) == "1 error in 1 file"
    assert summary_line([finding("warning"), finding("warning", path="dvc.yaml")]) == "2 warnings in 2 files"
    mixed = [finding("hint"), finding("information"), finding("error"), finding("error", 2)]
    assert summary_line(mixed) == "2 errors, 2 notes in 1 file"
    assert summary_line([finding("error", n) for n in range(1200)]) == "1,200 errors in 1 file"


def test_github_annotations_escape_properties_and_data(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    code, out, _ = run("check", "--format", "github", cwd=broken)
    assert code == 1
    found = commands(out)
    assert [level for level, _, _ in found] == ["error", "error", "error", "warning"]  # most severe first
    odd = [props for _, props, _ in found if props["file"].endswith("dvc.yaml")]
    assert odd == [
        {
            "file": "we%2Cird%3A 100%25/dvc.yaml",
            "line": "4",
            "col": "5",
            "endLine": "4",
            "endColumn": "8",
            "title": "gto extra-key",
        }
    ]
    assert found[0][1]["file"] == "artifacts.yaml" and found[0][1]["title"] == "gto invalid-name"
    assert out.splitlines()[-1] == "3 errors, 1 warning in 2 files"  # a plain line of the log
    assert "::notice" not in out  # nothing was left out
    # A message's `%` and line breaks are encoded (data), `:` and `,` stay (they end nothing there).
    buffer = io.StringIO()
    write_report([finding("error", message="50% done,\nthen: more\r")], "github", buffer, env={})
    assert commands(buffer.getvalue())[0][2] == "50%25 done,%0Athen: more%0D"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


def test_github_shows_ten_annotations_per_level_and_counts_the_rest() -> None:
    findings = (
        [finding("information", n) for n in range(11)]
        + [finding("error", n) for n in range(12)]
        + [finding("warning", n) for n in range(3)]
        + [finding("hint", 50)]
    )
    out = io.StringIO()
    write_report(findings, "github", out, env={})
    found = commands(out.getvalue())
    levels = [level for level, _, _ in found]
    # 10 errors (the first ones), 3 warnings, 9 notices and the notice that counts the 2 + 3 left out: GitHub keeps
    # 10 of each level, so the count takes the tenth notice's place.
    assert levels == ["error"] * 10 + ["warning"] * 3 + ["notice"] * 10
    assert [props["line"] for _, props, _ in found[:10]] == [str(n) for n in range(10)]
    assert [props["line"] for _, props, _ in found[13:22]] == [str(n) for n in range(9)]
    _, props, text = found[-1]
    assert props == {"title": "gto-lsp check"}
    assert text.startswith("5 more problems not shown as annotations") and "`gto-lsp check` lists them all" in text
    # Exactly ten of a level: nothing left out, no count.
    out = io.StringIO()
    write_report([finding("information", n) for n in range(10)], "github", out, env={})
    assert [level for level, _, _ in commands(out.getvalue())] == ["notice"] * 10


def test_the_job_summary_is_appended_with_every_finding(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = broken.parent / "summary.md"
    summary.write_text("# Earlier step\n\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.example")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/models")
    monkeypatch.setenv("GITHUB_SHA", "0123abc")
    assert run("check", "--format", "github", cwd=broken)[0] == 1
    text = summary.read_text()
    assert text.startswith("# Earlier step\n\n## gto-lsp check\n\n3 errors, 1 warning in 2 files\n\n")
    table = [line for line in text.splitlines() if line.startswith("| [")]
    assert len(table) == 4
    assert table[3].startswith(
        "| [we,ird: 100%/dvc.yaml:4](https://github.example/acme/models/blob/0123abc/we%2Cird%3A%20100%25/dvc.yaml#L4)"
        " | `extra-key` | error | `dsc` is not a field of a dvc.yaml artifact"
    ), table[3]
    # A second run appends again; without the repository's URL the places are plain text.
    monkeypatch.delenv("GITHUB_SHA")
    run("check", "--format", "github", cwd=broken)
    assert text.count("## gto-lsp check") == 1 and summary.read_text().count("## gto-lsp check") == 2
    assert "| artifacts.yaml:1 | `invalid-name` | error |" in summary.read_text()


def test_the_job_summary_escapes_cells_and_stops_at_its_bound(tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    odd = finding("error", message="a | b\nc <b>bold</b> `x|<y>` \\ end")
    many = [odd] + [finding("warning", n) for n in range(SUMMARY_ROWS + 4)]
    write_report(many, "github", io.StringIO(), env={"GITHUB_STEP_SUMMARY": str(target)})
    text = target.read_text()
    rows = [line for line in text.splitlines() if line.startswith("| artifacts.yaml:")]
    assert len(rows) == SUMMARY_ROWS
    escaped = r"a \| b c &lt;b&gt;bold&lt;/b&gt; `x\|<y>` \\ end"
    assert rows[0] == f"| artifacts.yaml:1 | `unknown-field` | error | {escaped} |"
    assert "… and 5 more, not listed here: `gto-lsp check` lists them all." in text
    assert len(text.encode()) < 1024 * 1024
    long = finding("error", message="x" * 5000)
    write_report([long], "github", io.StringIO(), env={"GITHUB_STEP_SUMMARY": str(target)})
    assert max(len(line) for line in target.read_text().splitlines()) < 700


def test_a_summary_that_cannot_be_written_is_said_and_changes_nothing(
    broken: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = broken.parent / "a-folder"
    folder.mkdir()
    err = io.StringIO()
    out = io.StringIO()
    findings = [finding("error", n) for n in range(12)]
    write_report(findings, "github", out, err=err, env={"GITHUB_STEP_SUMMARY": str(folder)})
    assert "could not write the job summary to" in err.getvalue() and str(folder) in err.getvalue()
    assert len(commands(out.getvalue())) == 11  # the annotations, and the count pointing to the command
    assert "`gto-lsp check` lists them all" in out.getvalue()
    # Through the command line: the same exit code as with no summary at all.
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(folder))
    code, out_text, err_text = run("check", "--format", "github", cwd=broken)
    assert code == 1 and len(commands(out_text)) == 4
    assert "could not write the job summary" in capsys.readouterr().err + err_text
