from tests.environments.conftest import (  # noqa: F401 (fixtures)
    admin_token,
    environments,
    main_api,
    migrated_sqlite_file,
    sandbox,
    sandbox_api,
)


def query(api, status=200, **attributes):
    """POST /audit-log-events/query; the answer."""
    body = {"data": {"type": "audit_log_query", "attributes": attributes}}
    response = api.post("/audit-log-events/query", body)
    assert response.status_code == status, response.body
    return response


def events(api, **attributes) -> list[dict]:
    """Every event the query finds, following next_token to the end."""
    found, token = [], None
    while True:
        answer = query(api, **attributes, **({"next_token": token} if token else {})).body
        found += answer["data"]
        token = answer["meta"]["next_token"]
        if token is None:
            return found


def actions(api, **attributes) -> list[str]:
    return [e["attributes"]["action_name"] for e in events(api, **attributes)]
