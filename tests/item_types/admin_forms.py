"""Helpers for tests of the admin's field page: a form's shown values posted back as a
browser would, and the form an admin page answered."""


def shown_form(response):
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.context["adminform"].form


def post_data_of(form, **changes) -> dict:
    """What a browser submits for ``form`` untouched (then ``changes``): checked boxes as
    "on", lists as repeated values, nothing for empty inputs."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [str(v) for v in value]
        data[bound.name] = value
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def errors_next_to(form) -> dict[str, list[str]]:
    """Each input's errors (``__all__``: above the form)."""
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}
