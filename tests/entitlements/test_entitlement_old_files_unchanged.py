"""Today's policy files pay exactly what they paid before the policy language grew."""

from __future__ import annotations

import json

from tests.entitlements.golden import GOLDEN, scenarios


def test_old_policy_files_give_identical_amounts_and_lines() -> None:
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    actual = scenarios()
    assert actual.keys() == expected.keys()
    differing = [name for name in expected if actual[name] != expected[name]]
    assert differing == []
