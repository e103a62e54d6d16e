"""An output set: every file of a command checked first, written all or nothing (issue 19, 6-7)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from callsim.files import OutputSet, atomic_path, write_text


def test_every_file_is_checked_and_each_problem_named(tmp_path: Path) -> None:
    (tmp_path / "out.summary.csv").mkdir()  # a folder where a side file goes
    (tmp_path / "afile").write_text("")
    outputs = OutputSet()
    outputs.add_all([tmp_path / "out.csv", tmp_path / "out.summary.csv"], "--out")
    outputs.add(tmp_path / "plot.png", "--plot")
    outputs.add(tmp_path / "missing" / "x.svg", "--plot")
    problems = outputs.problems()
    assert problems == [f"{tmp_path}/out.summary.csv: --out: is a folder, not a file",
                        f"{tmp_path}/missing/x.svg: --plot: folder {tmp_path}/missing does not "
                        "exist"]
    folder = OutputSet()
    folder.add_folder(tmp_path / "afile", "--write-scenario", ["a.yaml"])
    assert folder.problems() == [f"{tmp_path}/afile: --write-scenario: is a file, not a folder"]
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    link = OutputSet()
    link.add_folder(tmp_path / "dangling", "--write-scenario", ["a.yaml"])
    assert link.problems() == [f"{tmp_path}/dangling: --write-scenario: is a link to nothing, "
                               "not a folder"]  # found by the command fuzz test
    under = OutputSet()
    under.add_folder(tmp_path / "afile" / "sub", "--write-scenario", ["a.yaml"])
    assert under.problems() == [f"{tmp_path}/afile/sub: --write-scenario: {tmp_path}/afile is "
                                "a file, not a folder"]


def test_a_file_in_the_way_inside_the_folder_and_two_options_on_one_file(tmp_path: Path) -> None:
    (tmp_path / "scenarios" / "s.warm.yaml").mkdir(parents=True)
    outputs = OutputSet()
    outputs.add_folder(tmp_path / "scenarios", "--write-scenario", ["s.cold.yaml", "s.warm.yaml"])
    outputs.add(tmp_path / "t.csv", "--out")
    outputs.add(tmp_path / "." / "t.csv", "--plot")
    assert outputs.problems() == [
        f"{tmp_path}/scenarios/s.warm.yaml: --write-scenario: is a folder, not a file",
        f"{tmp_path}/t.csv: --plot: the same file as --out"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_to_be_written_into(tmp_path: Path) -> None:
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o555)
    try:
        outputs = OutputSet()
        outputs.add_folder(tmp_path / "ro" / "sub", "--write-scenario", ["a.yaml"])
        [problem] = outputs.problems()
        assert "not writable" in problem
    finally:
        (tmp_path / "ro").chmod(0o755)


def test_a_failure_leaves_nothing_of_the_set_and_old_files_untouched(tmp_path: Path) -> None:
    old = write_text(tmp_path / "t.csv", "old\n")
    outputs = OutputSet()
    outputs.add(old, "--out")
    outputs.add_folder(tmp_path / "made", "--write-scenario", ["a.yaml", "b.yaml"])
    with pytest.raises(KeyboardInterrupt), outputs.writing():
        write_text(old, "new\n")
        write_text(tmp_path / "made" / "a.yaml", "a: 1\n")
        raise KeyboardInterrupt  # Ctrl-C while the second scenario is written
    assert old.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]  # no temporary, no folder
    with outputs.writing():
        write_text(old, "new\n")
        write_text(tmp_path / "made" / "a.yaml", "a: 1\n")
        assert old.read_text() == "old\n"  # renamed together at the end of the set
        assert not (tmp_path / "made" / "a.yaml").exists()
    assert old.read_text() == "new\n" and (tmp_path / "made" / "a.yaml").exists()


def test_durable_files_are_renamed_at_once_inside_a_set(tmp_path: Path) -> None:
    outputs = OutputSet()
    outputs.add(tmp_path / "t.csv", "--out")
    with pytest.raises(RuntimeError), outputs.writing():
        with atomic_path(tmp_path / "part.arrow", now=True) as temporary:
            temporary.write_text("rows")
        assert (tmp_path / "part.arrow").exists()  # a sweep's part is saved at once
        raise RuntimeError
    assert (tmp_path / "part.arrow").read_text() == "rows"
