"""``callsim init``: the commented starter scenario is the reference scenario, explained."""

from __future__ import annotations

import yaml
from typer.testing import CliRunner

from callsim import load_scenario
from callsim.cli.app import app
from callsim.scenario.starter import starter_text
from tests.shared import ROOT


def test_init_writes_the_reference_scenario(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert "wrote scenario.yaml" in result.output
    written = load_scenario(tmp_path / "scenario.yaml")
    assert written == load_scenario(ROOT / "scenarios" / "billing_support.yaml")
    assert (tmp_path / "scenario.yaml").stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_every_field_has_a_line_of_explanation():
    lines = starter_text().splitlines()
    for number, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        above = lines[number - 1].lstrip() if number else ""
        assert above.startswith("#"), f"line {number + 1} has no explanation above: {line}"
    assert yaml.safe_load(starter_text())["transfer"]["warm"]["max_hold"] is None


def test_init_refuses_to_overwrite(tmp_path):
    target = tmp_path / "mine.yaml"
    target.write_text("name: mine\n")
    result = CliRunner().invoke(app, ["init", str(target)])
    assert result.exit_code == 2
    assert result.output.strip() == f"{target}: already exists; not overwritten (pick another name)"
    assert target.read_text() == "name: mine\n"


def test_init_into_a_missing_folder_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(app, ["init", str(tmp_path / "no" / "s.yaml")])
    assert result.exit_code == 2
    assert result.output.strip().endswith("does not exist")


def test_init_names_the_written_file_in_its_header(tmp_path):
    target = tmp_path / "my_scenario.yaml"
    assert CliRunner().invoke(app, ["init", str(target)]).exit_code == 0
    header = target.read_text().splitlines()[:4]
    assert f"#   callsim validate {target}" in header
    assert f"#   callsim report {target}" in header
    assert not any("scenario.yaml" in line and str(target) not in line for line in header)


def test_init_under_a_file_or_a_read_only_folder_is_a_one_line_error(tmp_path):
    import os

    (tmp_path / "afile").write_text("")
    result = CliRunner().invoke(app, ["init", str(tmp_path / "afile" / "x.yaml")])
    assert result.exit_code == 2
    assert result.output.strip() == f"{tmp_path / 'afile' / 'x.yaml'}: {tmp_path / 'afile'} " \
        "is a file, not a folder"
    readonly = tmp_path / "rofs"
    readonly.mkdir()
    readonly.chmod(0o555)
    try:
        result = CliRunner().invoke(app, ["init", str(readonly / "x.yaml")])
        if os.access(readonly, os.W_OK) and result.exit_code == 0:
            return  # root ignores folder permissions: nothing to refuse here
        assert result.exit_code == 2, result.output
        assert result.output.count("\n") == 1 and "not writable" in result.output
        assert not (readonly / "x.yaml").exists()
    finally:
        readonly.chmod(0o755)
