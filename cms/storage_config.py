"""The S3 storage options, read from an environment mapping (settings and tests share it)."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def s3_options(environ) -> dict:
    return {
        "bucket_name": environ.get("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("AWS_S3_REGION_NAME") or None,
        "access_key": environ.get("AWS_ACCESS_KEY_ID"),
        "secret_key": environ.get("AWS_SECRET_ACCESS_KEY"),
        "custom_domain": environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
        "querystring_auth": _flag(environ.get("AWS_QUERYSTRING_AUTH"), True),
        "file_overwrite": False,
        # SigV4 presigned URLs sign only the host, so any Content-Type the client PUTs with
        # is accepted; botocore's default for some regions (SigV2) signs it as empty.
        "signature_version": environ.get("AWS_S3_SIGNATURE_VERSION") or "s3v4",
    }
