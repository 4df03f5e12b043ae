"""What copying a storage can refuse, on either database."""


class StorageExists(Exception):
    """The storage a copy was to create exists already (a schema, a file)."""


class StorageMissing(Exception):
    """The storage a copy was to read does not exist."""
