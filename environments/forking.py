"""Forks and destroys: the environment's row changes at once, in the request; the copy or
the drop runs as a job (environments/tasks.py), since it may take seconds.

A fork's row is ``creating`` from the request until its storage is a complete copy: the
copy is all-or-nothing (environments/copying.py), so the row turns ``ready`` only after a
copy that committed. A job run again after its worker died finds either no storage (it
copies again) or a complete one (it only marks it ready). A fork the queue gave up on is
removed (:func:`abandon_fork`): never a half-copied environment, never one ``creating``
for ever.
"""

import contextlib

from django.db import IntegrityError, transaction
from django.db.models.functions import Now

from access import environments as access_environments
from cms.api.errors import ApiError
from environments import copying, selection
from environments.models import Environment
from environments.services import check_new_name, find, locked, name_taken
from environments.storages import new_storage_name
from uploads import storage as files

Status = Environment.Status


def start_fork(source_name: str, new_name, *, fast: bool = False) -> Environment:
    """A new environment ``new_name``, ``creating``, forked from ``source_name``; with
    ``fast`` the source refuses writes until the copy is done."""
    check_new_name(new_name)
    try:
        with transaction.atomic():
            source = locked(source_name)
            if Environment.objects.filter(name=new_name).exists():
                raise name_taken(new_name)
            Environment.objects.create(
                name=new_name,
                storage=new_storage_name(),
                status=Status.CREATING,
                fork_completion_percentage=0,
                forked_from=source,
            )
            access_environments.forked(source.name, new_name)
            if fast:
                Environment.objects.filter(pk=source.pk).update(read_only_mode=True)
    except IntegrityError as error:  # taken by a concurrent fork or rename
        raise name_taken(new_name) from error
    return find(new_name)


def complete_fork(environment_id: int, *, fast: bool) -> Environment:
    """Copy the source's storage into the new environment's, then mark it ready."""
    environment = Environment.objects.select_related("forked_from").get(pk=environment_id)
    if environment.status == Status.READY:
        return find(environment.name)
    source = environment.forked_from
    if source is None or source.status == Status.DESTROYING:
        raise ApiError(
            "ENVIRONMENT_NOT_FOUND", 404, message="The environment being forked was destroyed."
        )

    def progress(percent, table):
        Environment.objects.filter(pk=environment_id, status=Status.CREATING).update(
            fork_completion_percentage=min(int(percent), 99)
        )

    # A run before this one died: midway (its partial copy goes), or once its copy was
    # complete (a copy is all-or-nothing: StorageExists, and there is nothing left to do).
    copying.discard_unfinished_copies(environment.storage)
    with contextlib.suppress(copying.StorageExists):
        copying.copy_storage(source.storage, environment.storage, on_progress=progress)
    Environment.objects.filter(pk=environment_id).update(
        status=Status.READY, fork_completion_percentage=None, created_at=Now()
    )
    if fast:
        Environment.objects.filter(pk=source.pk).update(read_only_mode=False)
    return Environment.objects.select_related("forked_from").get(pk=environment_id)


def abandon_fork(environment_id: int, *, fast: bool) -> None:
    """The fork failed for good: no environment, no storage, the source writable again."""
    environment = Environment.objects.filter(pk=environment_id).first()
    if environment is None or environment.status == Status.READY:
        return
    copying.drop_storage(environment.storage)
    if fast and environment.forked_from_id:
        Environment.objects.filter(pk=environment.forked_from_id).update(read_only_mode=False)
    with transaction.atomic():
        access_environments.destroyed(environment.name)
        environment.delete()


def start_destroy(name: str) -> Environment:
    """``name`` turns ``destroying`` (no request reaches it from now on); never the primary."""
    with transaction.atomic():
        environment = locked(name)
        if environment.primary:
            raise ApiError(
                "PRIMARY_ENVIRONMENT",
                422,
                environment=name,
                message="The primary environment can't be destroyed: promote another first.",
            )
        Environment.objects.filter(pk=environment.pk).update(status=Status.DESTROYING)
        access_environments.destroyed(name)
    return find(name)


def complete_destroy(environment_id: int) -> Environment | None:
    """Drop the environment's storage, then its row, then the upload files no other
    environment uses. Safe to run again: each step finds what the last run left."""
    environment = Environment.objects.select_related("forked_from").filter(pk=environment_id)
    environment = environment.first()
    if environment is None:
        return None
    paths = _upload_paths(environment.storage)
    copying.drop_storage(environment.storage)
    environment.delete()
    files.delete_unless_shared(paths)
    environment.status = Status.DESTROYING
    return environment


def _upload_paths(storage: str) -> list[str]:
    from uploads.models import Upload  # (uploads depends on environments, not the reverse)

    if not copying.storage_exists(storage):  # dropped by a run that died before the end
        return []
    with selection.using(storage):
        return list(Upload.objects.values_list("path", flat=True))
