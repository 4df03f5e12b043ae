"""DatoCMS's official client on roles and API tokens (access.mjs) against `manage.py serve`
on a fresh database: roles.*, roles.updateCurrentEnvironmentPermissions, accessTokens.*
(regenerate refusing the old secret at once), and a role's token held to its role."""

from __future__ import annotations

import pytest

from tests.compat.test_official_client import node_client, run_ok
from tests.serving import serving

__all__ = ["node_client"]  # a fixture


@pytest.mark.compat
def test_official_client_roles_and_access_tokens(node_client, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("client-access") / "data"
    with serving(data_dir, "client_access") as served:
        result = run_ok(node_client, "access.mjs", served.url, served.token)
    assert '"step": "done"' in result.stdout or '"step":"done"' in result.stdout
