"""The record API's refusals, answered in DreamFactory's error shape by its views."""

from cms.api.errors import ApiError
from record_api.filter_parser import FilterError


class RecordApiError(Exception):
    def __init__(self, status: int, message: str, context=None):
        super().__init__(message)
        self.status, self.message, self.context = status, message, context


def record_error(errors: list[ApiError], index: int | None = None) -> dict:
    """One record's failure: DreamFactory's error object, with every problem in details."""
    where = f"Record {index}" if index is not None else "The record"
    return {
        "code": 422,
        "status_code": 422,
        "message": f"{where} is invalid: {len(errors)} problem(s).",
        "details": [{"error": error.code, **error.details} for error in errors],
    }


def refused(parameter: str, text: str, error: FilterError) -> RecordApiError:
    """A filter or order that can't be used: 400, naming the problem (and where it is)."""
    context = {parameter: text, **error.details}
    where = ""
    if error.position is not None:
        context["position"] = error.position
        where = f" at position {error.position}"
    return RecordApiError(400, f"Invalid {parameter}{where}: {error.message}.", context)
