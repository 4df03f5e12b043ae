"""What the record editor's choosers read: records of the models a link may point at, and
uploads with their thumbnails; and adding a file from the upload chooser. Admin views
(RecordAdmin.get_urls wraps them in the admin's login and permission checks)."""

from django.db.models import Q
from django.http import JsonResponse

from cms.admin_forms import error_messages
from cms.api.errors import ApiError, ApiErrors
from items.models import Item
from uploads import services as upload_services
from uploads import storage
from uploads.models import Upload

CHOICES = 20


def record_title(record: Item) -> str:
    """The record's title field's value (a localized one's first locale), else its id."""
    title_field_id = record.item_type.title_field_id
    value = record.data.get(title_field_id) if title_field_id else None
    if isinstance(value, dict):
        value = next((v for v in value.values() if v), None)
    return value if isinstance(value, str) and value else f"#{record.id}"


def record_choice(record: Item) -> dict:
    return {
        "id": record.id,
        "title": record_title(record),
        "model": record.item_type.name,
        "status": record.status,
    }


def upload_choice(upload: Upload) -> dict:
    return {
        "id": upload.id,
        "filename": upload.filename,
        "url": storage.url(upload.storage_name),
        "is_image": upload.is_image,
    }


def record_labels(ids) -> dict:
    records = Item.objects.filter(pk__in=list(ids), root__isnull=True).select_related("item_type")
    return {record.id: record_choice(record) for record in records}


def upload_labels(ids) -> dict:
    return {upload.id: upload_choice(upload) for upload in Upload.objects.filter(pk__in=list(ids))}


def records(request):
    """``?models=id,id&q=words``: records of those models whose text or id matches."""
    model_ids = [m for m in request.GET.get("models", "").split(",") if m]
    query = request.GET.get("q", "").strip()
    found = Item.objects.filter(root__isnull=True, item_type_id__in=model_ids)
    if query:
        found = found.filter(Q(search_text__icontains=query.lower()) | Q(pk=query))
    found = found.select_related("item_type").order_by("-updated_at")[:CHOICES]
    return JsonResponse({"results": [record_choice(record) for record in found]})


def uploads(request):
    """``?q=words``: uploads whose name or text matches, newest first."""
    query = request.GET.get("q", "").strip()
    found = Upload.objects.all()
    if query:
        found = found.filter(Q(filename__icontains=query) | Q(search_text__icontains=query.lower()))
    found = found.order_by("-created_at")[:CHOICES]
    return JsonResponse({"results": [upload_choice(upload) for upload in found]})


def upload_file(request):
    """POST ``file``: a new upload, through the API's own service."""
    uploaded = request.FILES.get("file")
    if request.method != "POST" or uploaded is None:
        return JsonResponse({"errors": ["Send a file."]}, status=400)
    try:
        upload = upload_services.upload_create_from_file(
            uploaded=uploaded, attributes={}, creator_id=None
        )
    except (ApiError, ApiErrors) as exc:
        return JsonResponse({"errors": error_messages(exc)}, status=422)
    return JsonResponse(upload_choice(upload), status=201)
