"""Hostile and broken files (gzip bombs, forged arrays, padded IDX files, hostile network files),
each loaded in a child process under a memory limit: a named error or a correct load, never more."""
from __future__ import annotations

import pytest
from hostile_files import CASES, run_case


@pytest.mark.parametrize("case", CASES, ids=[c.name.split(",")[0] for c in CASES])
def test_hostile_file_ends_in_a_named_error_in_bounded_memory(case, tmp_path):
    """Each file loads in a child limited to 1 GiB of address space (ulimit -v)."""
    result = run_case(case, tmp_path, limit_mb=1024)
    assert result["outcome"] == case.expect, result
    assert result["peak_mb"] < case.max_mb, result  # the IDX case holds its 47 MB of promised data
    if case.expect != "loaded":
        assert str(tmp_path) in result["message"]   # the error names the file


def test_seeded_mutations_of_valid_files_load_or_end_in_a_named_error(tmp_path):
    """300 mutations (of network files of each class, dataset pickles, IDX files and a PNG), in
    children of 1 GiB with a 10 s alarm per case: `hostile_files.py --fuzz 20000` runs thousands."""
    from hostile_files import NAMED, fuzz

    records = fuzz(300, tmp_path, seed=1, limit_mb=1024)
    assert len(records) == 300
    bad = [r for r in records if r["outcome"] not in NAMED]
    assert not bad, bad[:3]
    outcomes = {r["outcome"] for r in records}
    assert {"loaded", "NetworkFileError", "DatasetError", "IdxFormatError", "ImageError"} <= outcomes
