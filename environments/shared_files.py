"""Upload files are shared by reference between environments: a fork copies the upload
rows, not the files, so a file may be deleted only when no environment's uploads use it."""

from environments import copying
from environments.models import Environment


def unused(paths: list[str]) -> list[str]:
    """The paths among ``paths`` that no environment's uploads use. None while a fork is
    being made: its copy can't be asked until it is complete, and may use any of them."""
    if not paths or Environment.objects.filter(status=Environment.Status.CREATING).exists():
        return []
    storages = list(Environment.objects.values_list("storage", flat=True))
    if len(storages) == 1:  # the one environment's upload rows are gone (callers delete first)
        return list(paths)
    in_use = copying.upload_paths_in_use(paths, storages)
    return [path for path in paths if path not in in_use]
