"""The command line's conventions: one release flag spelling everywhere (``--release`` and
``--releases`` are the same option, one id or a comma list as the command says), help text on
every option, and ``httpsys-sim completion bash|zsh|fish`` generated from the parser."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from httpsys_sim._completion import SHELLS, completion_script
from httpsys_sim.cli import build_parser, main


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- help text ------------------------------------------------------------------------------


def test_every_option_of_every_command_has_help_text() -> None:
    missing = []
    for name, sub in {"": build_parser(), **subparsers(build_parser())}.items():
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            if not action.help or len(action.help) < 8:
                missing.append(f"{name or 'httpsys-sim'} {'/'.join(action.option_strings)}")
    assert not missing, missing


def test_every_command_has_a_description() -> None:
    for name, sub in subparsers(build_parser()).items():
        assert sub.description, name


def test_format_help_names_every_choice_with_an_example() -> None:
    for name, sub in subparsers(build_parser()).items():
        for action in sub._actions:
            if "--format" in action.option_strings:
                assert action.help is not None
                assert "e.g. --format" in action.help, name
                for choice in action.choices or ():
                    assert f"{choice}:" in action.help, (name, choice)


# --- --release / --releases -----------------------------------------------------------------


@pytest.mark.parametrize("command", ["simulate", "matrix", "diagnose"])
def test_release_and_releases_are_both_accepted(command: str) -> None:
    sub = subparsers(build_parser())[command]
    strings = {s for a in sub._actions for s in a.option_strings}
    assert {"--release", "--releases"} <= strings
    (action,) = [a for a in sub._actions if "--release" in a.option_strings]
    assert "--releases" in action.option_strings  # one option, two spellings


def outcome_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, "simulate", *argv, "--format", "json")
    assert (code, err) == (0, "")
    return str(json.loads(out)["outcome"]["summary"])


def test_simulate_spellings_agree(capsys: pytest.CaptureFixture[str]) -> None:
    one = outcome_of(capsys, "--release", "win11-23h2")
    other = outcome_of(capsys, "--releases", "win11-23h2")
    assert one == other
    assert one != outcome_of(capsys, "--release", "win11-24h2")  # the flag does something


def test_simulate_refuses_a_list_pointing_at_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "simulate", "--releases", "win10-22h2,win11-24h2")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "matrix --releases" in err


def test_matrix_spellings_agree(capsys: pytest.CaptureFixture[str]) -> None:
    docs = []
    for flags in (
        ["--releases", "win10-22h2,win11-24h2", "--clients", "edge,curl"],
        ["--release", "win10-22h2,win11-24h2", "--client", "edge,curl"],
    ):
        code, out, _ = run(capsys, "matrix", *flags, "--format", "json")
        assert code == 0
        docs.append(json.loads(out))
    assert docs[0] == docs[1]
    assert docs[0]["releases"] == ["win10-22h2", "win11-24h2"]
    assert docs[0]["clients"] == ["edge", "curl"]


# --- completion -----------------------------------------------------------------------------


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_command_prints_the_script(
    capsys: pytest.CaptureFixture[str], shell: str
) -> None:
    code, out, err = run(capsys, "completion", shell)
    assert (code, err) == (0, "")
    assert out == completion_script(build_parser(), shell)
    for name in subparsers(build_parser()):
        assert name in out, (shell, name)


def test_completion_refuses_an_unknown_shell(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "completion", "tcsh")
    assert (code, out) == (2, "")
    assert "invalid choice" in err


def bash_complete(script: str, words: list[str], cwd: Path) -> list[str]:
    """What the bash script offers for ``words`` (the last one is being typed)."""
    array = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    program = (
        f"{script}\nCOMP_WORDS=({array}); COMP_CWORD={len(words) - 1}; COMPREPLY=()\n"
        '_httpsys_sim; printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=cwd,
        check=True,
    )
    return [line for line in done.stdout.splitlines() if line]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_completes(tmp_path: Path) -> None:
    script = completion_script(build_parser(), "bash")
    (tmp_path / "site.scenario.json").write_text("{}", encoding="utf-8")
    assert "matrix" in bash_complete(script, ["httpsys-sim", ""], tmp_path)
    assert bash_complete(script, ["httpsys-sim", "dia"], tmp_path) == ["diagnose", "diagram"]
    assert bash_complete(script, ["httpsys-sim", "simulate", "--rel"], tmp_path) == [
        "--release",
        "--releases",
    ]
    assert set(
        bash_complete(script, ["httpsys-sim", "simulate", "--release", "server-20"], tmp_path)
    ) == {"server-2016", "server-2019", "server-2022", "server-2025"}
    assert bash_complete(script, ["httpsys-sim", "matrix", "--format", "c"], tmp_path) == ["csv"]
    assert bash_complete(script, ["httpsys-sim", "simulate", "--scenario", "si"], tmp_path) == [
        "site.scenario.json"
    ]
    assert bash_complete(script, ["httpsys-sim", "completion", "z"], tmp_path) == ["zsh"]


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_script_parses_in_its_shell(shell: str, tmp_path: Path) -> None:
    binary = shutil.which(shell)
    if binary is None:
        pytest.skip(f"{shell} is not installed")
    path = tmp_path / f"completion.{shell}"
    path.write_text(completion_script(build_parser(), shell), encoding="utf-8")
    done = subprocess.run(
        [binary, "-n", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr


def test_completion_follows_the_parser() -> None:
    """A new option appears in every script without touching the generator."""
    parser = build_parser()
    sub = subparsers(parser)["simulate"]
    sub.add_argument("--brand-new-flag", choices=["alpha", "beta"], help="a test option")
    for shell in SHELLS:
        script = completion_script(parser, shell)
        assert "brand-new-flag" in script, shell
        assert "alpha" in script, shell


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completion_completes(tmp_path: Path) -> None:
    path = tmp_path / "httpsys-sim.fish"
    path.write_text(completion_script(build_parser(), "fish"), encoding="utf-8")

    def complete(line: str) -> list[str]:
        done = subprocess.run(
            ["fish", "--no-config", "-c", f"source {path}; complete -C '{line}'"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return [row.split("\t")[0] for row in done.stdout.splitlines()]

    assert "simulate" in complete("httpsys-sim ")
    assert complete("httpsys-sim simulate --rel") == ["--release", "--releases"]
    assert complete("httpsys-sim matrix --format c") == ["csv"]
    assert complete("httpsys-sim completion ") == ["bash", "fish", "zsh"]
