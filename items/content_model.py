"""The content model, read once per request: site locales, item types and their fields."""

from dataclasses import dataclass

from item_types.models import Field, ItemType, Site


@dataclass
class ContentModel:
    locales: list[str]
    item_types: dict[str, ItemType]
    fields: dict[str, list[Field]]  # item type id -> its fields in position order

    @classmethod
    def load(cls) -> "ContentModel":
        """Three queries, however many models and fields there are."""
        item_types = {it.id: it for it in ItemType.objects.all()}
        fields: dict[str, list[Field]] = {item_type_id: [] for item_type_id in item_types}
        for field in Field.objects.order_by("item_type_id", "position"):
            fields[field.item_type_id].append(field)
        return cls(locales=list(Site.load().locales), item_types=item_types, fields=fields)

    def find(self, id_or_api_key: str) -> ItemType | None:
        found = self.item_types.get(id_or_api_key)
        if found is None:
            found = next(
                (it for it in self.item_types.values() if it.api_key == id_or_api_key), None
            )
        return found

    def field_ids(self, item_type_id: str) -> list[str]:
        return [field.id for field in self.fields[item_type_id]]
