"""What a browser posts back from an admin change page, as rendered."""

from django.forms import NullBooleanSelect

HIDDEN_BY_THE_BROWSER = ("csrfmiddlewaretoken", "_continue")


def change_form_data(response) -> dict:
    """The form's fields with the values the page shows (unchecked boxes are left out)."""
    data: dict = {}

    def add(bound) -> None:
        if bound.field.show_hidden_initial:  # a field with a callable default, e.g. a list
            data[bound.html_initial_name] = bound.field.widget.format_value(
                bound.field.prepare_value(bound.initial)
            )
        value = bound.value()
        if isinstance(bound.field.widget, NullBooleanSelect):  # yes / no / not stated
            data[bound.html_name] = {True: "true", False: "false"}.get(value, "unknown")
            return
        if value is None or value is False:
            return
        if value is True:
            data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = str(value)

    for bound in response.context["adminform"].form:
        add(bound)
    for inline in response.context["inline_admin_formsets"]:
        for bound in inline.formset.management_form:
            add(bound)
        for form in inline.formset.forms:
            for bound in form:
                add(bound)
    return data


def fields_posted(response) -> int:
    """How many fields the browser sends when the page is saved: every named control of the
    form (empty ones too), the CSRF token and the button pressed.

    Django counts these against DATA_UPLOAD_MAX_NUMBER_FIELDS.
    """
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    count = sum(1 + field.show_hidden_initial for form in forms for field in form.fields.values())
    return count + len(HIDDEN_BY_THE_BROWSER)
