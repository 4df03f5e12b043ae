"""A multipart upload handler that refuses files over the configured size as they stream."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

from cms.api.errors import ApiError


class MaxSizeUploadHandler(FileUploadHandler):
    """Counts a file's bytes as they arrive and stops the request past the maximum.

    It runs before Django's temporary-file handler, so an oversized file is refused
    without ever being held whole, in memory or on disk.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.CMS_MAX_UPLOAD_BYTES:
            raise ApiError("UPLOAD_TOO_LARGE", 413, max_bytes=settings.CMS_MAX_UPLOAD_BYTES)
        return raw_data

    def file_complete(self, file_size):
        return None
