"""Reading records."""

from items.models import Reference


def records_using_upload(upload) -> list[dict]:
    record_ids = (
        Reference.objects.filter(target_upload=upload)
        .values_list("record_id", flat=True)
        .distinct()
    )
    return [{"type": "item", "id": record_id} for record_id in record_ids]
