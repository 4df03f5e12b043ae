"""Field types that reference other records."""

from item_types.field_types.assets import check_record_id
from item_types.field_types.base import ID_SCHEMA, FieldType, expect


class LinkType(FieldType):
    code = "link"
    link_validator = "item_item_type"
    allowed_validators = frozenset({"required", "unique"})
    default_editor = "link_select"
    filter_kind = "link"
    accepts_default_value = False

    def parse(self, value):
        return check_record_id(value)

    def json_schema(self, block):
        return ID_SCHEMA

    def collect(self, value, visitor):
        visitor.record(value, self.link_validator)
        return value

    def without_link(self, value, record_id):
        return None if value == record_id else value


class LinksType(FieldType):
    code = "links"
    link_validator = "items_item_type"
    allowed_validators = frozenset({"size"})
    default_editor = "links_select"
    filter_kind = "link"
    filters_as_set = True
    accepts_default_value = False
    empty_value = []

    def parse(self, value):
        expect(isinstance(value, list), "Expected a list of record ids.")
        ids = [check_record_id(item) for item in value]
        expect(len(set(ids)) == len(ids), "A record is linked twice.")
        return ids

    def json_schema(self, block):
        return {"type": "array", "items": ID_SCHEMA, "uniqueItems": True}

    def collect(self, value, visitor):
        for index, item_id in enumerate(value):
            visitor.record(item_id, self.link_validator, index=index)
        return value

    def without_link(self, value, record_id):
        return [item_id for item_id in value if item_id != record_id]
