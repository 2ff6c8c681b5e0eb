"""The release (scripts/release.sh) builds packages that install and serve: the wheel and the sdist in clean venvs
offline, through pipx too; the universal .vsix and this machine's platform .vsix hold what they should, the
platform one's bundled server answers an LSP initialize with the machine's Python, and code-server installs it.

The release here is built once for the module, for this machine's platform only (about 2 minutes);
GTO_TEST_ALL_TARGETS=1 builds every platform of the release as well and checks each .vsix's native modules.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import venv
import zipfile
from pathlib import Path
from typing import IO, Any, Optional

import pytest

from gto_lsp import __version__

ROOT = Path(__file__).resolve().parents[2]
HANG = 30  # seconds: a bound on a hang, not a speed assertion
BUILD_HANG = 900
ALL_TARGETS = os.environ.get("GTO_TEST_ALL_TARGETS") == "1"

# How CPython names its extension modules per vsce target (the libyaml module of PyYAML for 3.9-3.13).
NATIVE_NAMES = {
    "linux-x64": r"_yaml\.cpython-3\d+-x86_64-linux-gnu\.so",
    "linux-arm64": r"_yaml\.cpython-3\d+-aarch64-linux-gnu\.so",
    # CPython on musl says "musl" in the name from 3.11 on, "gnu" before (bpo-43112)
    "alpine-x64": r"_yaml\.cpython-3\d+-x86_64-linux-(musl|gnu)\.so",
    "alpine-arm64": r"_yaml\.cpython-3\d+-aarch64-linux-(musl|gnu)\.so",
    "darwin-x64": r"_yaml\.cpython-3\d+-darwin\.so",
    "darwin-arm64": r"_yaml\.cpython-3\d+-darwin\.so",
    "win32-x64": r"_yaml\.cp3\d+-win_amd64\.pyd",
    "win32-arm64": r"_yaml\.cp3\d+-win_arm64\.pyd",
}
# What a .vsix may hold under extension/: the built client, the bundled libraries, images, the walkthrough, docs.
SHIPPED = re.compile(
    r"extension/(package\.json|readme\.md|changelog\.md|LICENSE\.txt"
    r"|out/extension/(extension\.js|language-configuration\.json|gto-artifacts\.tmLanguage\.json)"
    r"|bundled/libs/.+|images/[\w-]+\.(png|svg)|resources/walkthrough/[\w-]+\.md)\Z"
)


def host_target() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(machine)
    system = {"linux": "linux", "darwin": "darwin", "win32": "win32"}.get(sys.platform)
    if arch is None or system is None:
        pytest.skip(f"no vsce target for {sys.platform} {machine}")
    return f"{system}-{arch}"


def run(cmd: list[str], *, timeout: float = HANG, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    said = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, f"{cmd} exited {result.returncode}:\n{said}"
    return result


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def read_message(stream: IO[bytes]) -> dict[str, Any]:
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    assert length, "the server closed its output"
    message: dict[str, Any] = json.loads(stream.read(length))
    return message


def lsp_initialize(cmd: list[str], env: Optional[dict[str, str]] = None, cwd: Optional[Path] = None) -> dict[str, Any]:
    """Runs `cmd` as a language server over stdio: initialize (answered), initialized, shutdown (answered), exit;
    returns the initialize result after checking the server exited cleanly."""
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd
    )
    assert proc.stdin is not None and proc.stdout is not None
    watchdog = threading.Timer(HANG, proc.kill)  # a hang bound: a server that never answers fails, not blocks
    watchdog.start()

    def ask(message: dict[str, Any]) -> dict[str, Any]:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(frame(message))
        proc.stdin.flush()
        while (answer := read_message(proc.stdout)).get("id") != message["id"]:
            pass
        return answer

    try:
        init: dict[str, Any] = {"processId": None, "rootUri": None, "capabilities": {}}
        result: dict[str, Any] = ask({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init})["result"]
        proc.stdin.write(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        assert "error" not in ask({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        proc.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
        proc.stdin.close()
        code = proc.wait(HANG)
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    finally:
        watchdog.cancel()
        proc.kill()
    assert code == 0, stderr[-3000:]
    assert "textDocumentSync" in result["capabilities"]
    return result


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        # scripts/test.sh also runs the tests on Python 3.9 and 3.13 alongside: one release build is enough.
        pytest.skip("the release is built and tested from the checkout's .venv")
    if shutil.which("node") is None or not (ROOT / "node_modules" / ".bin" / "vsce").exists():
        pytest.skip("node and node_modules (npm ci) are needed to package the extension")
    out = tmp_path_factory.mktemp("dist")
    targets = "host " + " ".join(t for t in NATIVE_NAMES if ALL_TARGETS and t != host_target())
    run(
        ["bash", str(ROOT / "scripts" / "release.sh"), "--out", str(out), "--targets", targets.strip()],
        timeout=BUILD_HANG,
        cwd=ROOT,
    )
    return out


@pytest.fixture(scope="module")
def wheel(release: Path) -> Path:
    return release / f"gto_lsp-{__version__}-py3-none-any.whl"


@pytest.fixture(scope="module")
def wheelhouse(release: Path, wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every dependency of the wheel, the sdist's build requirement and the pip pipx puts in its shared venv,
    downloaded once (pip's cache) so the installs below run with --no-index."""
    house = tmp_path_factory.mktemp("wheelhouse")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "download", "--dest", str(house)]
    run([*pip, str(wheel)], timeout=BUILD_HANG)
    run([*pip, "setuptools>=77", "pip"], timeout=BUILD_HANG)
    return house


def clean_venv(where: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    return where / ("Scripts" if os.name == "nt" else "bin")


def offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    env["PIP_NO_INDEX"] = "1"
    return env


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_the_package_installs_offline_and_serves(kind: str, release: Path, wheelhouse: Path, tmp_path: Path) -> None:
    name = f"gto_lsp-{__version__}-py3-none-any.whl" if kind == "wheel" else f"gto_lsp-{__version__}.tar.gz"
    package = release / name
    bin_dir = clean_venv(tmp_path / "venv")
    env = offline_env()
    run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--no-index", "--find-links", str(wheelhouse), str(package)],
        timeout=BUILD_HANG,
        env=env,
    )

    assert run([str(bin_dir / "gto-lsp"), "--version"], env=env).stdout.split()[-1] == __version__
    outside = tmp_path / "elsewhere"  # not the checkout: the venv's gto_lsp answers, not server/
    outside.mkdir()
    served = lsp_initialize([str(bin_dir / "gto-lsp"), "serve"], env=env, cwd=outside)
    assert served["serverInfo"]["version"] == __version__
    lsp_initialize([str(bin_dir / "python"), "-m", "gto_lsp"], env=env, cwd=outside)
    where = run([str(bin_dir / "python"), "-c", "import gto_lsp; print(gto_lsp.__file__)"], env=env, cwd=outside)
    assert Path(where.stdout.strip()).is_relative_to(tmp_path / "venv")


def test_the_sdist_holds_what_a_rebuild_needs_and_no_build_output(release: Path) -> None:
    import tarfile

    with tarfile.open(release / f"gto_lsp-{__version__}.tar.gz") as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    for needed in ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "server/gto_lsp/__init__.py"):
        assert needed in names, needed
    assert "server/gto_lsp/py.typed" in names and "tests/helpers/git.py" in names
    junk = [
        n for n in names if n.split("/")[0] in ("node_modules", ".cache", "bundled", "dist", "out", "client", ".venv")
    ]
    assert not junk and not [n for n in names if "__pycache__" in n], junk[:10]


def test_pipx_runs_the_wheel_offline(wheel: Path, wheelhouse: Path, tmp_path: Path) -> None:
    pipx = Path(sys.executable).with_name("pipx")
    if not pipx.exists():
        pytest.skip("pipx is a dev extra: pip install -e '.[dev]'")
    env = offline_env()
    env.update(PIPX_HOME=str(tmp_path / "pipx"), PIPX_BIN_DIR=str(tmp_path / "bin"), PIP_FIND_LINKS=str(wheelhouse))
    done = run([str(pipx), "run", "--spec", str(wheel), "gto-lsp", "--version"], timeout=BUILD_HANG, env=env)
    assert done.stdout.split()[-1] == __version__


def vsix_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return z.namelist()


def vsix_target(path: Path) -> Optional[str]:
    with zipfile.ZipFile(path) as z:
        found = re.search(r'TargetPlatform="([\w-]+)"', z.read("extension.vsixmanifest").decode())
    return found.group(1) if found else None


def test_the_vsix_files_hold_the_extension_and_nothing_else(release: Path) -> None:
    files = sorted(release.glob("*.vsix"))
    expected = {f"gto-artifacts-{__version__}.vsix", f"gto-artifacts-{host_target()}-{__version__}.vsix"}
    assert expected <= {f.name for f in files}
    for vsix in files:
        names = [n for n in vsix_names(vsix) if n.startswith("extension/") and not n.endswith("/")]
        junk = [n for n in names if not SHIPPED.match(n) or "__pycache__" in n or n.endswith(".pyc")]
        assert not junk, (vsix.name, junk[:20])
        with zipfile.ZipFile(vsix) as z:
            manifest = json.loads(z.read("extension/package.json"))
        assert manifest["version"] == __version__
        assert "extension/" + manifest["main"].removeprefix("./") in names
        assert "vscode:prepublish" not in manifest.get("scripts", {})
        for needed in ("gto_lsp/__main__.py", "pygls/__init__.py", "yaml/__init__.py", "ruamel/yaml/__init__.py"):
            assert f"extension/bundled/libs/{needed}" in names, (vsix.name, needed)
        assert "extension/" + manifest["icon"] in names


def test_the_universal_vsix_is_pure_python(release: Path) -> None:
    vsix = release / f"gto-artifacts-{__version__}.vsix"
    assert vsix_target(vsix) is None
    assert not [n for n in vsix_names(vsix) if n.endswith((".so", ".pyd", ".dylib", ".dll"))]


def test_each_platform_vsix_carries_libyaml_for_cpython_3_9_to_3_13(release: Path) -> None:
    targets = [t for t in NATIVE_NAMES if (release / f"gto-artifacts-{t}-{__version__}.vsix").exists()]
    assert host_target() in targets
    for target in targets:
        vsix = release / f"gto-artifacts-{target}-{__version__}.vsix"
        assert vsix_target(vsix) == target
        native = [n for n in vsix_names(vsix) if n.endswith((".so", ".pyd", ".dylib", ".dll"))]
        pattern = re.compile(r"extension/bundled/libs/yaml/" + NATIVE_NAMES[target] + r"\Z")
        assert native and all(pattern.match(n) for n in native), (target, native)
        if target in ("linux-x64", "linux-arm64", "win32-x64", "darwin-arm64", "darwin-x64", "alpine-x64"):
            versions = sorted(int(v) for n in native for v in re.findall(r"(?:cpython-|cp)3(\d+)", n))
            assert versions == [9, 10, 11, 12, 13], (target, native)


def unpack(vsix: Path, where: Path) -> Path:
    with zipfile.ZipFile(vsix) as z:
        z.extractall(where)
    return where / "extension"


def bundled_env(extension: Path) -> dict[str, str]:
    """What the extension gives the server (client/src/common/python.ts's serverLaunch)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(PYTHONPATH=str(extension / "bundled" / "libs"), PYTHONUNBUFFERED="1", PYTHONSAFEPATH="1")
    return env


def host_python() -> str:
    """A Python outside .venv, as a user's would be (the one pytest runs on when there is none)."""
    return shutil.which("python3", path="/usr/bin:/usr/local/bin") or sys.executable


def test_the_platform_vsix_serves_with_the_hosts_python_and_its_libyaml(release: Path, tmp_path: Path) -> None:
    extension = unpack(release / f"gto-artifacts-{host_target()}-{__version__}.vsix", tmp_path / "platform")
    env = bundled_env(extension)
    python = host_python()
    served = lsp_initialize([python, "-m", "gto_lsp", "serve"], env=env, cwd=extension)
    assert served["serverInfo"]["version"] == __version__
    probe = "import yaml, gto_lsp; print(yaml.__with_libyaml__, yaml.__file__, gto_lsp.__file__)"
    fast, yaml_file, server_file = run([python, "-c", probe], env=env, cwd=extension).stdout.split()
    assert Path(yaml_file).is_relative_to(extension) and Path(server_file).is_relative_to(extension)
    assert fast == "True", "the platform .vsix should load libyaml on this machine's Python"


def test_the_universal_vsix_serves_on_pure_python(release: Path, tmp_path: Path) -> None:
    extension = unpack(release / f"gto-artifacts-{__version__}.vsix", tmp_path / "universal")
    env = bundled_env(extension)
    python = host_python()
    lsp_initialize([python, "-m", "gto_lsp", "serve"], env=env, cwd=extension)
    fast = run([python, "-c", "import yaml; print(yaml.__with_libyaml__)"], env=env, cwd=extension).stdout.strip()
    assert fast == "False"


def test_code_server_installs_the_platform_vsix(release: Path, tmp_path: Path) -> None:
    found = subprocess.run(
        ["bash", str(ROOT / "scripts" / "code-server.sh")],
        capture_output=True,
        text=True,
        timeout=BUILD_HANG,
        check=False,
    )
    if found.returncode != 0:
        pytest.skip(f"code-server is not installable here: {found.stderr[-500:]}")
    entry = Path(found.stdout.strip().splitlines()[-1]) / "node_modules" / "code-server" / "out" / "node" / "entry.js"
    node = shutil.which("node")
    assert node is not None
    common = ["--user-data-dir", str(tmp_path / "user"), "--extensions-dir", str(tmp_path / "ext")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["HOME"] = str(tmp_path)
    vsix = release / f"gto-artifacts-{host_target()}-{__version__}.vsix"
    run([node, str(entry), *common, "--install-extension", str(vsix)], timeout=120, env=env)
    listed = run([node, str(entry), *common, "--list-extensions", "--show-versions"], timeout=120, env=env).stdout
    assert f"gto-lsp.gto-artifacts@{__version__}" in listed.split()
    installed = next((tmp_path / "ext").glob("gto-lsp.gto-artifacts-*"))
    assert (installed / "bundled" / "libs" / "gto_lsp" / "__main__.py").exists()
