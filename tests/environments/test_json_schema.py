"""A model's JSON Schema (GET /item-types/:id/schema.json) is the environment's."""

import jsonschema


def test_the_schema_is_the_environments(main_api, sandbox_api):
    model = sandbox_api.create_item_type("event")
    sandbox_api.create_field(model["id"], "name", "string", validators={"required": {}})
    response = sandbox_api.get("/item-types/event/schema.json")
    assert response.status_code == 200, response.body
    assert response["X-Environment"] == "sandbox"
    jsonschema.Draft202012Validator.check_schema(response.body)
    assert response.body["properties"]["name"]["type"] == "string"
    assert main_api.get("/item-types/event/schema.json").status_code == 404
