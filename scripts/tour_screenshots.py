"""Copy the tour's pictures from the browser journeys' screenshots into docs/tour/.

The journeys (tests/browser/test_journey_*.py) leave every step in
artifacts/screenshots/<journey>/NN-step.png; the README's tour shows the few picked here. Steps
are found by name, not number, so adding a step to a journey does not change the tour. Each
picture is reduced to a 256-colour palette: the pages are flat colours and text, so it looks
the same at a third of the size.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
TOUR = ROOT / "docs" / "tour"
#: (journey, step) in the order the README shows them.
PICKS = [
    ("queues", "officer-queue"),
    ("queues", "event-life"),
    ("queues", "approver-decision"),
    ("queues", "accountant-queue"),
    ("officer", "roll-problems"),
    ("officer", "entitlements"),
    ("officer", "approver-reviews"),
    ("officer", "one-payment-failed"),
    ("brand", "statement"),
    ("brand", "charts"),
    ("brand", "other-brand-not-found"),
    ("accountant", "trial-balance"),
    ("accountant", "exports"),
    ("accountant", "march-closed"),
    ("claims", "helpline-sees-the-reference-and-sms"),
    ("claims", "claim-accepted-top-up-held"),
    ("claims", "admin-acknowledges-the-finding"),
]


def main() -> int:
    """Copy every pick, or name the missing ones and exit 1 (run the journeys first)."""
    missing = []
    TOUR.mkdir(parents=True, exist_ok=True)
    for journey, step in PICKS:
        found = sorted((SCREENSHOTS / journey).glob(f"[0-9][0-9]-{step}.png"))
        if not found:
            missing.append(f"{journey}/NN-{step}.png")
            continue
        target = TOUR / f"{journey}-{step}.png"
        with Image.open(found[-1]) as picture:
            picture.convert("RGB").quantize(colors=256).save(target, optimize=True)
        print(f"{target.relative_to(ROOT)}  ({target.stat().st_size // 1024} KiB)")
    if missing:
        print(
            "missing in artifacts/screenshots (run the browser journeys first): "
            + ", ".join(missing),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
