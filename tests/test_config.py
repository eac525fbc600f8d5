"""Policies an operator sets in the environment: approval bands and claim deadlines."""

from __future__ import annotations

from pathlib import Path

import pytest

from fund.config import ConfigInvalid, load_config
from fund.controls.approvals import bands_from_config


def test_approval_bands_and_claim_deadlines_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUND_APPROVAL_BANDS", "500000:1, 2000000.50:2, *:3")
    monkeypatch.setenv("FUND_CLAIM_DEADLINES", "not_received:3,other:45")
    monkeypatch.setenv("FUND_CLAIMS_HELPLINE", "16357")
    config = load_config(tmp_path, {"SECRET_KEY": "x"})
    assert config["CLAIMS_HELPLINE"] == "16357"
    assert bands_from_config(config) == ((50_000_000, 1), (200_000_050, 2), (None, 3))
    assert config["CLAIM_DEADLINES"] == {"not_received": 3, "other": 45}
    # What the caller passes (tests, embedding) still wins.
    assert load_config(tmp_path, {"SECRET_KEY": "x", "APPROVAL_BANDS": [[None, 1]]})[
        "APPROVAL_BANDS"
    ] == [[None, 1]]


def test_without_them_the_defaults_hold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FUND_APPROVAL_BANDS", raising=False)
    monkeypatch.delenv("FUND_CLAIM_DEADLINES", raising=False)
    config = load_config(tmp_path, {"SECRET_KEY": "x"})
    assert "APPROVAL_BANDS" not in config
    assert bands_from_config(config) == ((100_000_000, 1), (None, 2))


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("FUND_APPROVAL_BANDS", "1000000:1", "last band must have no upper limit"),
        ("FUND_APPROVAL_BANDS", "2000000:1,1000000:2,*:3", "must rise"),
        ("FUND_APPROVAL_BANDS", "1000000:0,*:2", "at least one approver"),
        ("FUND_APPROVAL_BANDS", "a lot:1,*:2", "not an amount in taka"),
        ("FUND_APPROVAL_BANDS", "1000000,*:2", "LIMIT:APPROVERS"),
        ("FUND_CLAIM_DEADLINES", "lost:7", "KIND:DAYS"),
        ("FUND_CLAIM_DEADLINES", "other:0", "at least one day"),
    ],
)
def test_a_bad_policy_stops_the_start_and_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigInvalid, match=name) as refused:
        load_config(tmp_path, {"SECRET_KEY": "x"})
    assert says in str(refused.value)
