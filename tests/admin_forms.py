"""What an admin change form posts back when nothing is changed: the object's fields as the
form shows them and each inline's management form and existing rows, with no blank row.
Tests change the few values they are about."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.forms import MultiWidget
from django.utils import timezone

# The corrections and updates inline's formset prefix, on every kind's change form.
NOTES = "newsroom-itemnote-content_type-object_id"
# The front page pin inline's, on the same forms (for those who may pin).
PINS = "newsroom-frontpagepin-content_type-object_id"


def _fields(form, data: dict[str, Any]) -> None:
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                if part is not None:
                    data[f"{form.add_prefix(name)}_{index}"] = part
        elif isinstance(value, list | tuple):
            data[form.add_prefix(name)] = [str(v) for v in value]
        elif value is not None and not hasattr(value, "_meta"):
            data[form.add_prefix(name)] = value


def change_form_data(client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    _fields(form, data)
    data["tags"] = ", ".join(tag.name for tag in (form.initial.get("tags") or []))
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        rows = formset.initial_forms
        prefix = formset.prefix
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": len(rows),
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
        for row in rows:
            _fields(row, data)
    return data


def add_row(data: dict[str, Any], prefix: str, **values: Any) -> None:
    """Add a new row to an inline (``prefix``) of the posted form."""
    index = data[f"{prefix}-TOTAL_FORMS"]
    data[f"{prefix}-TOTAL_FORMS"] = index + 1
    data.update({f"{prefix}-{index}-{name}": value for name, value in values.items()})


def add_note_row(
    data: dict[str, Any], text: str, *, kind: str = "correction", noted_at: datetime | None = None
) -> None:
    """Add a new correction or update (dated five minutes ago by default) to the form."""
    moment = timezone.localtime(noted_at or timezone.now() - timedelta(minutes=5))
    add_row(
        data,
        NOTES,
        kind=kind,
        noted_at_0=moment.strftime("%Y-%m-%d"),
        noted_at_1=moment.strftime("%H:%M:%S"),
        text=text,
    )
