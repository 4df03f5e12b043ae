"""``_schema`` writes on DreamFactory 2's paths (record_api.schema_writes): ``POST _schema``
creates tables, ``POST _schema/<table>`` one, ``PUT``/``PATCH _schema/<table>`` changes a
table and adds or changes its fields, ``DELETE _schema/<table>`` drops it;
``_schema/<table>/_field`` lists and creates fields, ``_schema/<table>/_field/<field>`` (or
the older ``_schema/<table>/<field>``) reads, changes and deletes one. Writes need the role's
``can_edit_schema`` (``scope = "schema"``: access.permissions); reads are as before.
``return_schema=true`` answers a write with the table's description (record_api.schema)."""

from rest_framework.response import Response

from item_types.models import Field, ItemType
from items.content_model import ContentModel
from record_api import options, related, schema, schema_writes
from record_api.errors import RecordApiError
from record_api.views import RecordApiView, RecordSchemaView


def _item_type(service: str, table: str) -> ItemType:
    found = options.table(service, table, ContentModel.load())  # DreamFactory's 404
    return ItemType.objects.get(pk=found.id)


def _field(item_type: ItemType, name: str) -> Field:
    field = Field.objects.filter(item_type=item_type, api_key=name).first()
    if field is None:
        raise RecordApiError(404, f"Field '{name}' does not exist in table '{item_type.api_key}'.")
    return field


class _SchemaWrites:
    scope = "schema"  # writes need can_edit_schema

    def _tables(self, request, names: list[str], status: int = 200) -> Response:
        """``{"resource": [{"name"}, ...]}``, or the tables described (``return_schema``)."""
        if not options.is_true(request.query_params.get("return_schema", "")):
            return Response({"resource": [{"name": name} for name in names]}, status=status)
        model = ContentModel.load()
        described = []
        for name in names:
            item_type = next(it for it in model.item_types.values() if it.api_key == name)
            described.append(schema.table(item_type, model))
        return Response({"resource": described}, status=status)

    def _one(self, request, table: str, answer: dict, status: int = 200) -> Response:
        if options.is_true(request.query_params.get("return_schema", "")):
            return Response(self._tables(request, [table]).data["resource"][0], status=status)
        return Response(answer, status=status)


class SchemaView(_SchemaWrites, RecordSchemaView):
    def post(self, request, service):
        """Create tables with their fields, all or nothing: 201 with their names."""
        options.check_service(service)
        specs = schema_writes.resources(request.data)
        made = schema_writes.create_tables(specs)
        return self._tables(request, [item_type.api_key for item_type in made], 201)

    def patch(self, request, service):
        """Change tables (each one's label, fields added or changed), all or nothing."""
        options.check_service(service)
        specs = schema_writes.resources(request.data)
        changed = schema_writes.update_tables(specs, lambda name: _item_type(service, name))
        return self._tables(request, [item_type.api_key for item_type in changed])

    put = patch  # as on one table: fields not listed are kept

    def delete(self, request, service):
        """Drop the tables the body names, all or nothing: their names."""
        options.check_service(service)
        specs = schema_writes.resources(request.data)
        names = schema_writes.delete_tables(
            specs, lambda name: _item_type(service, name), request.query_params.dict()
        )
        return Response({"resource": [{"name": name} for name in names]})


class SchemaTableView(_SchemaWrites, RecordSchemaView):
    def post(self, request, service, table):
        """Create the table the path names (its fields in the body's ``field``)."""
        options.check_service(service)
        spec = request.data if isinstance(request.data, dict) else None
        if spec is None:
            raise RecordApiError(400, "Send the table's description, an object.")
        if spec.get("name", table) != table:
            raise RecordApiError(
                400, "The body's 'name' is not the path's table.", {"table": table}
            )
        schema_writes.create_tables([{**spec, "name": table}])
        return self._one(request, table, {"name": table}, 201)

    def patch(self, request, service, table):
        item_type = schema_writes.update_table(_item_type(service, table), request.data)
        return self._one(request, item_type.api_key, {"name": item_type.api_key})

    put = patch  # fields not listed are kept either way: dropping one is a DELETE

    def delete(self, request, service, table):
        item_type = _item_type(service, table)
        # The query parameters are for what goes with the model (its menu items), as on /item-types.
        schema_writes.delete_table(item_type, request.query_params.dict())
        return Response({"name": table})


class SchemaRelatedView(RecordApiView):
    """``GET _schema/<table>/_related[/<relation>]``: the table's relations as
    ``_schema/<table>`` lists them (record_api.related), the names ``related=`` takes."""

    def get(self, request, service, table, relation=None):
        options.check_service(service)
        model = ContentModel.load()
        found = related.relations(options.table(service, table, model), model)
        if relation is None:
            return Response({"resource": [r.describe() for r in found.values()]})
        if relation not in found:
            raise RecordApiError(404, f"Relation '{relation}' does not exist in table '{table}'.")
        return Response(found[relation].describe())


class SchemaFieldListView(_SchemaWrites, RecordApiView):
    def get(self, request, service, table):
        """The table's fields, as ``GET _schema/<table>`` describes them."""
        model = ContentModel.load()
        item_type = options.table(service, table, model)
        return Response({"resource": schema.fields(item_type, model)})

    def post(self, request, service, table):
        """Create fields, all or nothing: 201 with their names."""
        item_type = _item_type(service, table)
        specs = schema_writes.resources(request.data)
        names = schema_writes.upsert_fields(item_type, specs, create_only=True)
        return Response({"resource": [{"name": name} for name in names]}, status=201)


class SchemaFieldView(_SchemaWrites, RecordSchemaView):
    def patch(self, request, service, table, field):
        changed = schema_writes.update_field(
            _field(_item_type(service, table), field), request.data
        )
        return self._one(request, table, {"name": changed.api_key})

    put = patch

    def delete(self, request, service, table, field):
        schema_writes.delete_field(_field(_item_type(service, table), field))
        return Response({"name": field})
