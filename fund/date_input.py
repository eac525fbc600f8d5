"""The date input of every form: typed as the pages show dates (``2 Dec 2026``), with a hint.

A browser's ``<input type="date">`` shows its own locale's order (``12/02/2026`` in a US
browser, ``02/12/2026`` elsewhere): the one ambiguity the display format exists to avoid. This
field is a text input that shows its date as the pages do and reads back that format or ISO
8601 (``fund.display.parse_display_date``); anything else is refused with the format to use.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.form import BaseForm
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from fund.display import DateNotUnderstood, display_date, parse_display_date

#: The hint under every date input (the field's description, shown by templates/_form.html).
HINT = _l("Day, month, year, as in 2 Dec 2026")


class DisplayDateField(Field):
    """A date typed as ``2 Dec 2026`` (or ``2026-12-02``); ``data`` is a ``date`` or None."""

    widget = TextInput()
    data: date | None

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("description", HINT)
        render_kw = {"autocomplete": "off", "placeholder": "2 Dec 2026", "spellcheck": "false"}
        kwargs["render_kw"] = {**render_kw, **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.data:
            return display_date(self.data)  # an understood date, as the pages show it
        return " ".join(self.raw_data or ())  # what was typed and not understood, to correct

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read the typed text; empty is None (``Optional`` or ``DataRequired`` decide)."""
        typed = str(valuelist[0]).strip() if valuelist else ""
        if not typed:
            self.data = None
            return
        try:
            self.data = parse_display_date(typed)
        except DateNotUnderstood as refused:
            self.data = None
            raise ValueError(_("Write the date as 2 Dec 2026.")) from refused

    def pre_validate(self, form: BaseForm) -> None:
        """A date not understood is the field's one error (not also "This field is required")."""
        if self.process_errors:
            raise StopValidation()
