"""`check --format sarif` on a real repository: valid against the official SARIF 2.1.0 schema, rules from the code
registry with README links, repository-relative locations, and fingerprints that do not move with the lines."""

from __future__ import annotations

import importlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from gto_lsp import __version__
from gto_lsp.core.codes import CODES
from helpers.cli import run
from helpers.git import git, make_repo

ROOT = Path(__file__).resolve().parents[2]
jsonschema: Any = importlib.import_module("jsonschema")  # no type stubs in the dev extras
SCHEMA = Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json"
ODD = "my models é"  # a space and a letter outside ASCII
ANNOTATIONS = (
    "a.b: {}\n"  # invalid-name
    "rf:\n"
    "  path: gone.pkl\n"  # path-missing
    "  virtual: false\n"
    "  labels: [x, x, x]\n"  # duplicate-label twice, with the same message, for the same artifact
    "  descripton: y\n"  # unknown-field
)
DVC = "artifacts:\n  clf:\n    path: clf.pkl\n    dsc: typo\n  bad.name:\n    path: nowhere.pkl\n"
NOT_UTF8 = b"artifacts:\n  x:\n    path: \xff.pkl\n"  # file-encoding, whose message names the line


@pytest.fixture(scope="module")
def schema() -> Any:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_repo(tmp_path_factory.mktemp("sarif") / "repo")
    (root / "artifacts.yaml").write_text(ANNOTATIONS)
    (root / ODD).mkdir()
    (root / ODD / "clf.pkl").write_text("clf")
    (root / ODD / "dvc.yaml").write_text(DVC)
    (root / "enc").mkdir()
    (root / "enc" / "dvc.yaml").write_bytes(NOT_UTF8)
    git(root, "add", ".")
    git(root, "commit", "-qm", "annotations with problems")
    return root


def sarif(cwd: Path) -> tuple[int, str, dict[str, Any]]:
    code, out, err = run("check", "--format", "sarif", cwd=cwd)
    assert err == "", err
    return code, out, json.loads(out)


def test_the_log_is_valid_sarif_and_says_what_json_says(repo: Path, schema: Any) -> None:
    code, out, log = sarif(repo)
    assert code == 1  # the exit code does not depend on the format
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=str)
    assert errors == [], "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    assert out == run("check", "--format", "sarif", cwd=repo)[1]  # the same findings give the same bytes
    assert out.isascii()
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("gto-lsp", __version__)
    assert run_["columnKind"] == "unicodeCodePoints" and "%SRCROOT%" in run_["originalUriBaseIds"]
    rows = json.loads(run("check", "--format", "json", cwd=repo)[1])
    results = run_["results"]
    assert [r["ruleId"] for r in results] == [row["code"] for row in rows]
    assert {r["ruleId"] for r in results} >= {
        "invalid-name",
        "path-missing",
        "duplicate-label",
        "unknown-field",
        "extra-key",
        "file-encoding",
    }
    levels = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}
    for result, row in zip(results, rows):
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region == {
            "startLine": row["line"],
            "startColumn": row["column"],
            "endLine": row["endLine"],
            "endColumn": row["endColumn"],
        }
        assert result["message"]["text"] == row["message"] and result["level"] == levels[row["severity"]]
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result.get("properties", {}).get("artifact") == row.get("artifact")


def test_locations_are_relative_to_the_repository_root(repo: Path) -> None:
    def uris(log: dict[str, Any]) -> list[str]:
        return [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]

    _, _, log = sarif(repo)
    assert set(uris(log)) == {"artifacts.yaml", "my%20models%20%C3%A9/dvc.yaml", "enc/dvc.yaml"}
    for result in log["runs"][0]["results"]:
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    # From a sub-folder the text names files from there; SARIF's locations stay the same.
    _, _, inside = sarif(repo / ODD)
    assert uris(inside) == uris(log)


def test_rules_are_every_registered_code_with_its_readme_row(repo: Path) -> None:
    _, _, log = sarif(repo)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(CODES)  # found or not
    by_id = {rule["id"]: rule for rule in rules}
    for code in CODES.values():
        rule = by_id[code.id]
        assert rule["shortDescription"]["text"] == code.doc
        assert rule["helpUri"] == f"https://github.com/gto-lsp/gto-lsp#code-{code.id}"
        assert rule["properties"]["severity"] == code.severity
    # Two formats, two severities: the stricter is the default, each is said.
    assert by_id["invalid-name"]["defaultConfiguration"] == {"level": "error"}
    assert by_id["invalid-name"]["properties"]["severity"] == {"dvc": "warning", "gto": "error"}
    assert by_id["dvc-param-missing"]["defaultConfiguration"] == {"level": "warning"}
    assert by_id["too-many-problems"]["defaultConfiguration"] == {"level": "note"}
    assert by_id["path-missing"]["properties"]["setting"] == "gto.checks.virtualMissing"


def test_every_code_has_its_anchor_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    anchors = re.findall(r'<a id="code-([a-z-]+)"></a>', readme)
    assert [a for a in anchors if anchors.count(a) > 1] == []  # one address each
    missing = [code for code in CODES if code not in anchors]
    assert missing == [], f'give each code\'s README row an anchor `<a id="code-ID"></a>`: {missing}'
    assert set(anchors) - set(CODES) == set()


def test_fingerprints_stay_when_lines_are_inserted_above(repo: Path, tmp_path: Path) -> None:
    _, _, before = sarif(repo)
    moved = shutil.copytree(repo, tmp_path / "moved", symlinks=True)
    for rel in ("artifacts.yaml", f"{ODD}/dvc.yaml", "enc/dvc.yaml"):
        (moved / rel).write_bytes(b"# a comment\n\n# and another\n" + (moved / rel).read_bytes())
    _, _, after = sarif(moved)

    def by_print(log: dict[str, Any]) -> dict[str, tuple[str, int]]:
        results = log["runs"][0]["results"]
        found = {r["partialFingerprints"]["gtoLsp/v1"]: (r["ruleId"], r["locations"][0]) for r in results}
        assert len(found) == len(results)  # distinct, even for the two identical duplicate-label problems
        return {key: (rule, loc["physicalLocation"]["region"]["startLine"]) for key, (rule, loc) in found.items()}

    old, new = by_print(before), by_print(after)
    assert old.keys() == new.keys()
    assert all(new[key] == (rule, line + 3) for key, (rule, line) in old.items())
    labels = [key for key, (rule, _) in old.items() if rule == "duplicate-label"]
    assert len(labels) == 2 and {key.rsplit(":", 1)[1] for key in labels} == {"1", "2"}
    # The message that names its line changed, its fingerprint did not.
    encoding = [r["message"]["text"] for log in (before, after) for r in log["runs"][0]["results"]]
    assert len({text for text in encoding if "not UTF-8" in text}) == 2


def test_a_clean_repository_gives_a_valid_log_without_results(tmp_path: Path, schema: Any) -> None:
    clean = make_repo(tmp_path / "clean")
    (clean / "models").mkdir()
    (clean / "models" / "rf.pkl").write_text("w")
    (clean / "artifacts.yaml").write_text("rf:\n  path: models/rf.pkl\n")
    git(clean, "add", ".")
    git(clean, "commit", "-qm", "clean")
    code, _, log = sarif(clean)
    assert code == 0 and log["runs"][0]["results"] == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(CODES)
    assert list(jsonschema.Draft4Validator(schema).iter_errors(log)) == []
