"""The API document: OpenAPI 3.1 for both APIs (``generation``), served with a browsable
page (``views``). Each model's records have a JSON Schema of their own
(``item_types.json_schema``), which the document points at."""
