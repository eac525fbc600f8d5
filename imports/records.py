"""What reading a roll produces: frozen worker rows and the problems found on the way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding, located as the user sees the file: spreadsheet row (1-based) and column."""

    row: int | None
    column: str | None
    severity: Severity
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class RollRow:
    """One worker on a roll; wages are monthly amounts in integer minor units (poisha)."""

    row: int
    worker_id: str
    name: str
    national_id: str
    join_date: date
    basic: int
    house_rent: int = 0
    medical: int = 0
    transport: int = 0
    food: int = 0
    gross: int | None = None
    section: str | None = None
    grade: str | None = None
    designation: str | None = None
    exit_date: date | None = None
    payment_method: str | None = None
    wallet_number: str | None = None
    bank_account: str | None = None
    #: Optional fields a roll may carry for closure settlements and payment files; ``None``
    #: when the roll has no such column (or the cell is empty), never a guessed 0.
    routing_number: str | None = None
    worker_class: str | None = None  # one of WORKER_CLASSES
    arrears_due: int | None = None  # poisha
    earned_leave_days: int | None = None  # whole days not yet taken
    festival_bonus_due: int | None = None  # poisha
    overtime_due: int | None = None  # poisha
    language: str | None = None  # the worker's language for slips and letters: one of LANGUAGES

    @property
    def component_sum(self) -> int:
        """Sum of the wage components, the gross a roll implies."""
        return self.basic + self.house_rent + self.medical + self.transport + self.food

    @property
    def monthly_gross(self) -> int:
        """The roll's gross if it gave one, else the sum of the components."""
        return self.gross if self.gross is not None else self.component_sum

    def component(self, name: str) -> int:
        """A monthly wage component by its policy name (``gross`` or a component field)."""
        if name == "gross":
            return self.monthly_gross
        if name not in WAGE_COMPONENTS:
            raise KeyError(f"unknown wage component {name!r}")
        value: int = getattr(self, name)
        return value


WAGE_COMPONENTS: tuple[str, ...] = ("basic", "house_rent", "medical", "transport", "food")
#: Amounts owed to the worker besides the monthly wage (poisha), optional on a roll.
DUE_FIELDS: tuple[str, ...] = ("arrears_due", "festival_bonus_due", "overtime_due")
#: The languages a worker is written to in: Bengali and English (slips carry both, theirs first).
LANGUAGES: tuple[str, ...] = ("bn", "en")
#: Classes of worker, Bangladesh Labour Act 2006 s.4(1): apprentice, badli, casual, temporary,
#: probationer, permanent (শিক্ষাধীন, বদলী, সাময়িক, অস্থায়ী, শিক্ষানবিস, স্থায়ী).
WORKER_CLASSES: tuple[str, ...] = (
    "permanent",
    "probationer",
    "temporary",
    "casual",
    "badli",
    "apprentice",
)
