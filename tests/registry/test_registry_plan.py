"""core.registry.plan as tables: the tags in the repository -> the tags register/assign/deprecate would create
(name, message, commit) or delete, or GTO 1.10.1's refusal. Pure: the registry comes from for-each-ref lines."""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Optional, Union

import pytest

from gto_lsp.core.registry import deprecate as d
from gto_lsp.core.registry import plan as p
from gto_lsp.core.registry.replay import parse_registry
from gto_lsp.core.registry.state import HeadInfo, Registry
from gto_lsp.core.registry.tags import format_tag, next_counter, parse_tag
from helpers.git import T0

C1, C2, C3 = "1" * 40, "2" * 40, "3" * 40
Tagged = Union[tuple[str, str, int], tuple[str, str]]  # (name, commit, seconds) annotated; (name, commit) lightweight


def registry(*tags: Tagged, head: Optional[HeadInfo] = None) -> Registry:
    lines = []
    for t in tags:
        sha = hashlib.sha1(t[0].encode()).hexdigest()
        if len(t) == 3:
            name, commit, when = t
            lines.append(f"{name}\0tag\0{commit}\0{T0 + when} +0000\0{name}\0{T0} +0000\0{sha}")
        else:
            lines.append(f"{t[0]}\0commit\0\0\0\0\0{t[1]}")
    return parse_registry(("\n".join(sorted(lines)) + "\n").encode(), head)


def created(plan: p.TagPlan) -> list[tuple[str, str, str]]:
    return [(t.name, t.message, t.commit) for t in plan.create]


Case = tuple[str, list[Tagged], Callable[[Registry], p.TagPlan], Any]

REG = "Registering artifact rf version "
CASES: list[Case] = [
    # register
    ("first", [], lambda r: p.plan_register(r, "rf", C1), [("rf@v0.0.1", REG + "v0.0.1", C1)]),
    ("patch bump", [("rf@v0.0.1", C1, 1)], lambda r: p.plan_register(r, "rf", C2), [("rf@v0.0.2", REG + "v0.0.2", C2)]),
    (
        "bump the highest, not the newest",
        [("rf@v1.0.0", C1, 1), ("rf@v0.5.0", C2, 2)],
        lambda r: p.plan_register(r, "rf", C3, bump="patch"),
        [("rf@v1.0.1", REG + "v1.0.1", C3)],
    ),
    (
        "minor",
        [("rf@v0.0.2", C1, 1)],
        lambda r: p.plan_register(r, "rf", C2, bump="minor"),
        [("rf@v0.1.0", REG + "v0.1.0", C2)],
    ),
    (
        "major",
        [("rf@v0.1.0", C1, 1)],
        lambda r: p.plan_register(r, "rf", C2, bump="major"),
        [("rf@v1.0.0", REG + "v1.0.0", C2)],
    ),
    (
        "prerelease patch skips the release",
        [("rf@v2.0.0-rc.1", C1, 1)],
        lambda r: p.plan_register(r, "rf", C2),
        [("rf@v2.0.1", REG + "v2.0.1", C2)],
    ),
    (
        "lower version allowed",
        [("rf@v1.0.0", C1, 1)],
        lambda r: p.plan_register(r, "rf", C2, version="v0.5.0"),
        [("rf@v0.5.0", REG + "v0.5.0", C2)],
    ),
    (
        "counter form",
        [("rf@v0.0.1", C1, 1), ("rf#prod#4", C1, 2)],
        lambda r: p.plan_register(r, "rf", C2, simple=False),
        [("rf@v0.0.2#5", REG + "v0.0.2", C2)],
    ),
    ("message", [], lambda r: p.plan_register(r, "rf", C1, message="mine"), [("rf@v0.0.1", "mine", C1)]),
    (
        "dir:name written dir=name",
        [],
        lambda r: p.plan_register(r, "models/nlp:bert", C1),
        [("models/nlp=bert@v0.0.1", "Registering artifact models/nlp:bert version v0.0.1", C1)],
    ),
    (
        "bump past a deregistered version (GTO: tag exists)",
        [("rf@v0.0.1", C1, 1), ("rf@v0.0.2", C2, 2), ("rf@v0.0.2!", C2, 3)],
        lambda r: p.plan_register(r, "rf", C3),
        [("rf@v0.0.3", REG + "v0.0.3", C3)],
    ),
    (
        "commit already has a version",
        [("rf@v0.0.1", C1, 1)],
        lambda r: p.plan_register(r, "rf", C1),
        "'rf' is already registered in this commit with version 'v0.0.1'",
    ),
    (
        "force: the tag exists",
        [("rf@v0.0.1", C1, 1)],
        lambda r: p.plan_register(r, "rf", C1, force=True),
        "tag 'rf@v0.0.1' already exists",
    ),
    (
        "force, another version",
        [("rf@v0.0.1", C1, 1)],
        lambda r: p.plan_register(r, "rf", C1, version="v0.0.9", force=True),
        "For this REF you can only register v0.0.1",
    ),
    (
        "re-register a deregistered version",
        [("rf@v0.0.1", C1, 1), ("rf@v0.0.1!", C1, 2)],
        lambda r: p.plan_register(r, "rf", C1),
        "tag 'rf@v0.0.1' already exists",
    ),
    (
        "re-register, counter form",
        [("rf@v0.0.1", C1, 1), ("rf@v0.0.1!", C1, 2)],
        lambda r: p.plan_register(r, "rf", C1, simple=False),
        [("rf@v0.0.1#1", REG + "v0.0.1", C1)],
    ),
    (
        "unparsable version",
        [],
        lambda r: p.plan_register(r, "rf", C1, version="1.0.0"),
        "Supplied version '1.0.0' cannot be parsed",
    ),
    (
        "version used elsewhere",
        [("rf@v1.0.0", C1, 1)],
        lambda r: p.plan_register(r, "rf", C2, version="v1.0.0"),
        "Version 'v1.0.0' already was registered.\n",
    ),
    (
        "two version arguments",
        [],
        lambda r: p.plan_register(r, "rf", C1, version="v1.0.0", bump="minor"),
        "Need to specify either version or single bump argument",
    ),
    (
        "bump of the first",
        [],
        lambda r: p.plan_register(r, "rf", C1, bump="minor"),
        "Can't apply bump, because this is the first version being registered",
    ),
    (
        "bad name",
        [],
        lambda r: p.plan_register(r, "a:b:c", C1),
        "Invalid artifact name 'a:b:c': only letters, numbers, '_', '-' and '/' are allowed, and it must start and "
        "end with a letter or a number.",
    ),
    (
        "two versions on the commit",
        [("rf@v1.0.0", C1, 1), ("rf@v2.0.0", C1, 2)],
        lambda r: p.plan_register(r, "rf", C1),
        "Multiple versions are not allowed on the same Git commit. Violation detected for artifact 'rf', "
        "versions '['v1.0.0', 'v2.0.0']'.",
    ),
    # assign
    (
        "assign",
        [("rf@v0.0.1", C1, 1)],
        lambda r: p.plan_assign(r, "rf", "prod", ref_sha=C1),
        [("rf#prod#1", "Assigning stage prod to artifact rf version v0.0.1", C1)],
    ),
    (
        "assign: the counter counts lightweight tags",
        [("rf@v0.0.1", C1, 1), ("rf#qa#7", C1)],
        lambda r: p.plan_assign(r, "rf", "prod", ref_sha=C1),
        [("rf#prod#8", "Assigning stage prod to artifact rf version v0.0.1", C1)],
    ),
    (
        "assign simple",
        [("rf@v0.0.1", C1, 1)],
        lambda r: p.plan_assign(r, "rf", "prod", ref_sha=C1, simple=True),
        [("rf#prod", "Assigning stage prod to artifact rf version v0.0.1", C1)],
    ),
    (
        "assign registers first",
        [("rf@v0.0.1", C1, 1), ("rf#dev#3", C1, 2)],
        lambda r: p.plan_assign(r, "rf", "dev", ref_sha=C2),
        [
            ("rf@v0.0.2", REG + "v0.0.2", C2),
            ("rf#dev#4", "Assigning stage dev to artifact rf version v0.0.2", C2),
        ],
    ),
    (
        "assign at REF with --version",
        [("rf@v0.0.1", C1, 1)],
        lambda r: p.plan_assign(r, "rf", "prod", ref_sha=C2, name_version="v0.4.0"),
        [("rf@v0.4.0", REG + "v0.4.0", C2), ("rf#prod#1", "Assigning stage prod to artifact rf version v0.4.0", C2)],
    ),
    (
        "assign --version V: at V's commit",
        [("rf@v0.0.1", C1, 1), ("rf@v0.0.2", C2, 2)],
        lambda r: p.plan_assign(r, "rf", "prod", version="v0.0.1"),
        [("rf#prod#1", "Assigning stage prod to artifact rf version v0.0.1", C1)],
    ),
    (
        "skip registration: named by the sha",
        [],
        lambda r: p.plan_assign(r, "rf", "canary", ref_sha=C1, skip_registration=True),
        [("rf#canary#1", f"Assigning stage canary to artifact rf version {C1}", C1)],
    ),
    (
        "already in stage",
        [("rf@v0.0.1", C1, 1), ("rf#prod#1", C1, 2)],
        lambda r: p.plan_assign(r, "rf", "prod", ref_sha=C1),
        "Version 'v0.0.1' is already in stage 'prod'. Use the '--force' flag to create a new Git tag nevertheless.",
    ),
    (
        "force back",
        [("rf@v0.0.1", C1, 1), ("rf@v0.0.2", C2, 2), ("rf#prod#1", C1, 3), ("rf#prod#2", C2, 4)],
        lambda r: p.plan_assign(r, "rf", "prod", version="v0.0.1", force=True),
        [("rf#prod#3", "Assigning stage prod to artifact rf version v0.0.1", C1)],
    ),
    (
        "simple tag exists even with force",
        [("rf@v0.0.1", C1, 1), ("rf#prod", C1, 2)],
        lambda r: p.plan_assign(r, "rf", "prod", ref_sha=C1, simple=True, force=True),
        "tag 'rf#prod' already exists",
    ),
    (
        "version not registered",
        [],
        lambda r: p.plan_assign(r, "rf", "prod", version="v7.7.7"),
        "Version 'v7.7.7' is not registered",
    ),
    (
        "bad version",
        [],
        lambda r: p.plan_assign(r, "rf", "prod", version="bad"),
        "Version 'bad' is not valid. Example of valid version: 'v1.0.0'",
    ),
    (
        "REF has another version",
        [("rf@v0.3.0", C1, 1)],
        lambda r: p.plan_assign(r, "rf", "prod", ref_sha=C1, name_version="v0.4.0"),
        "Can't register 'v0.4.0', since 'v0.3.0' is registered already at this ref",
    ),
    (
        "version and skip",
        [],
        lambda r: p.plan_assign(r, "rf", "prod", ref_sha=C1, name_version="v0.4.0", skip_registration=True),
        "You either need to supply version name or skip registration",
    ),
    (
        ".gto stages",
        [("rf@v0.0.1", C1, 1)],
        lambda r: p.plan_assign(r, "rf", "qa", ref_sha=C1, allowed_stages=("dev", "prod")),
        "Stage 'qa' is not allowed by .gto: use one of 'dev', 'prod'",
    ),
    # unassign
    (
        "unassign",
        [("rf@v0.0.1", C1, 1), ("rf#dev#1", C1, 2), ("rf#prod#3", C1, 3)],
        lambda r: d.plan_unassign(r, "rf", "v0.0.1", "dev"),
        [("rf#dev!#4", "Unassigning stage 'dev' to artifact 'rf' version 'v0.0.1'", C1)],
    ),
    (
        "unassign again succeeds",
        [("rf@v0.0.1", C1, 1), ("rf#dev#1", C1, 2), ("rf#dev!#2", C1, 3)],
        lambda r: d.plan_unassign(r, "rf", "v0.0.1", "dev"),
        [("rf#dev!#3", "Unassigning stage 'dev' to artifact 'rf' version 'v0.0.1'", C1)],
    ),
    (
        "unassign a stage never assigned",
        [("rf@v0.0.1", C1, 1)],
        lambda r: d.plan_unassign(r, "rf", "v0.0.1", "nostage"),
        "Stage 'nostage' is not assigned to a version 'v0.0.1'",
    ),
    (
        "unassign, unknown version",
        [("rf@v0.0.1", C1, 1)],
        lambda r: d.plan_unassign(r, "rf", "v9.9.9", "dev"),
        "Version 'v9.9.9' is not registered for 'rf': its versions are v0.0.1",
    ),
    (
        "unassign, unknown artifact",
        [],
        lambda r: d.plan_unassign(r, "ghost", "v0.0.1", "dev"),
        "Cannot find artifact 'ghost'",
    ),
    # deregister
    (
        "deregister",
        [("rf@v0.0.1", C1, 1)],
        lambda r: d.plan_deregister(r, "rf", "v0.0.1"),
        [("rf@v0.0.1!", "Deregistering artifact rf version v0.0.1", C1)],
    ),
    (
        "deregister again",
        [("rf@v0.0.1", C1, 1), ("rf@v0.0.1!", C1, 2)],
        lambda r: d.plan_deregister(r, "rf", "v0.0.1"),
        f"The version at ref '{C1}' was deregistered already",
    ),
    (
        "deregister again, force, counter",
        [("rf@v0.0.1", C1, 1), ("rf@v0.0.1!", C1, 2), ("rf#prod#7", C1, 3)],
        lambda r: d.plan_deregister(r, "rf", "v0.0.1", force=True, simple=False),
        [("rf@v0.0.1!#8", "Deregistering artifact rf version v0.0.1", C1)],
    ),
    # deprecate
    (
        "deprecate: at the newest event's commit",
        [("rf@v0.0.1", C1, 1), ("rf@v0.0.2", C2, 2), ("rf@v0.0.1!", C1, 3)],
        lambda r: d.plan_deprecate(r, "rf"),
        [("rf@deprecated", "Deprecating artifact 'rf'", C1)],
    ),
    (
        "deprecate again",
        [("rf@v0.0.1", C1, 1), ("rf@deprecated", C1, 2)],
        lambda r: d.plan_deprecate(r, "rf"),
        "Artifact was deprecated already",
    ),
    (
        "deprecate, force",
        [("rf@v0.0.1", C1, 1), ("rf@v0.0.1!#8", C1, 2), ("rf@deprecated", C1, 3)],
        lambda r: d.plan_deprecate(r, "rf", force=True),
        [("rf@deprecated#9", "Deprecating artifact 'rf'", C1)],
    ),
    (
        "deprecate, force and simple",
        [],
        lambda r: d.plan_deprecate(r, "rf", force=True, simple=True),
        "Can't use 'force' with 'simple=True'",
    ),
    ("deprecate, unknown", [], lambda r: d.plan_deprecate(r, "ghost"), "Cannot find artifact 'ghost'"),
    (
        "deprecate, dir:name",
        [("dir=name@v0.0.1", C1, 1)],
        lambda r: d.plan_deprecate(r, "dir:name"),
        [("dir=name@deprecated", "Deprecating artifact 'dir:name'", C1)],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_plan_table(case: Case) -> None:
    _, tags, call, expected = case
    reg = registry(*tags)
    if isinstance(expected, str):
        with pytest.raises(p.PlanError) as info:
            call(reg)
        assert info.value.message == expected
    else:
        assert created(call(reg)) == expected


DELETES: list[tuple[str, list[Tagged], Callable[[Registry], p.TagPlan], tuple[str, ...]]] = [
    (
        "a stage of a version",
        [("rf@v0.0.1", C1, 1), ("rf#dev#1", C1, 2), ("rf#prod#2", C1, 3), ("rf#dev!#3", C1, 4), ("rf#dev#4", C2, 5)],
        lambda r: d.plan_unassign(r, "rf", "v0.0.1", "dev", delete=True),
        ("rf#dev#1", "rf#dev!#3"),
    ),
    (
        "a version with its stage tags",
        [("rf@v0.0.1", C1, 1), ("rf#prod#2", C1, 3), ("rf@v0.0.2", C2, 4)],
        lambda r: d.plan_deregister(r, "rf", "v0.0.1", delete=True),
        ("rf@v0.0.1", "rf#prod#2"),
    ),
    (
        "every tag of the artifact",
        [("rf@v0.0.1", C1, 1), ("rf#prod#2", C1, 3), ("rf@v0.0.2", C2, 4), ("nn@v0.0.1", C1, 5)],
        lambda r: d.plan_deprecate(r, "rf", delete=True),
        ("rf@v0.0.1", "rf#prod#2", "rf@v0.0.2"),
    ),
]


@pytest.mark.parametrize("case", DELETES, ids=[c[0] for c in DELETES])
def test_delete_table(case: Any) -> None:
    _, tags, call, expected = case
    plan = call(registry(*tags))
    assert plan.create == () and plan.delete == expected


def test_not_before_is_the_newest_tag_or_commit_of_the_artifact() -> None:
    reg = registry(("rf@v0.0.1", C1, 50), ("nn@v0.0.1", C1, 900))
    assert p.plan_register(reg, "rf", C2).not_before == T0 + 50
    assert p.plan_register(reg, "new", C2).not_before == 0.0


def test_not_before_leaves_commit_dates_out() -> None:
    """GTO dates its tags now: a deprecation older than a future-dated HEAD commit (rf is annotated there) does
    not deprecate in GTO, and gto-lsp's tag is dated the same way."""
    reg = registry(("rf@v0.0.1", C1, 50), head=HeadInfo(C2, T0 + 1000, ("rf",)))
    assert d.plan_deprecate(reg, "rf").not_before == T0 + 50


def test_next_version() -> None:
    reg = registry(("rf@v1.2.3", C1, 1), ("rf@v1.2.4", C2, 2), ("rf@v1.2.4!", C2, 3))
    assert p.next_version(reg, "rf") == "v1.2.5"  # v1.2.4 is taken by the deregistered version
    assert p.next_version(reg, "rf", "minor") == "v1.3.0"
    assert p.next_version(reg, "ghost") == "v0.0.1"


def test_created_tag_is_ignored_when_planning() -> None:
    reg = registry(("rf@v0.0.1", C1, 1), ("rf@created", C1, 2))
    assert reg.error == "Unexpected error: 'action'" and reg.error_cause == "created"
    assert created(p.plan_register(reg, "rf", C2)) == [("rf@v0.0.2", REG + "v0.0.2", C2)]


def test_unreadable_registry_refuses_like_gto() -> None:
    reg = registry(("rf@v1.0.0", C1, 1), ("rf@v2.0.0", C1, 2), ("rf#prod#1", C1, 3), ("nn@v0.0.1", C2, 4))
    assert reg.error and reg.error.startswith("Multiple versions are not allowed")
    with pytest.raises(p.PlanError, match="Multiple versions"):
        p.plan_register(reg, "nn", C3)


def test_grammar_round_trip() -> None:
    for name in ["rf@v1.0.0", "rf@v1.0.0!#3", "dir=name#prod!#2", "a/b=c@deprecated#9", "rf#Prod_1", "x@created"]:
        tag = parse_tag(name)
        assert tag is not None
        assert format_tag(tag.artifact, tag.action, tag.version, tag.stage, tag.counter) == name
    for name in ["v1.0.0", "rf@v1", "rf@latest", "rf#prod#x", "release-1", "rf@V1.0.0"]:
        assert parse_tag(name) is None
    assert next_counter(["rf#prod#3", "rf@v1.0.0#9", "rf2#prod#20", "rf@v2.0.0"], "rf") == 10


def test_head_commit_revives_an_annotated_artifact() -> None:
    tags: list[Tagged] = [("rf@v0.0.1", C1, 1), ("rf@deprecated", C1, 2)]
    assert registry(*tags).artifacts["rf"].deprecated
    revived = registry(*tags, head=HeadInfo(C2, T0 + 100, ("rf", "nn")))
    assert not revived.artifacts["rf"].deprecated
    assert not revived.artifacts["nn"].registered


def test_hover_lists_active_versions_only_and_says_when_gto_cannot_read() -> None:
    from gto_lsp.lsp.features.hover import registry_text

    reg = registry(("rf@v0.0.1", C1, 1), ("rf@v0.0.2", C2, 2), ("rf@v0.0.2!", C2, 3))
    text = registry_text("rf", reg.artifacts, None)
    assert "Versions: v0.0.1" in text and "v0.0.2" not in text
    broken = registry(("rf@v0.0.1", C1, 1), ("rf@created", C1, 2))
    assert "GTO cannot read this registry" in registry_text("rf", broken.artifacts, None)
    annotated = registry(head=HeadInfo(C1, T0, ("nn",)))
    assert registry_text("nn", annotated.artifacts, None).startswith("No GTO tags for `nn`")
