"""Upload files are shared between environments (a fork copies the upload rows, not the
files): a file goes with the last upload using it, whichever environment that is in."""

from environments import copying
from environments.models import Environment
from environments.storages import PROJECT_STORAGE, new_storage_name
from tests.conftest import create_upload, png_bytes, stored_files
from tests.environments.conftest import EnvironmentApi


def test_a_file_goes_with_the_last_upload_using_it_in_any_environment(
    environments, main_api, admin_token, upload_storage
):
    upload = create_upload(main_api, png_bytes())
    [file] = stored_files(upload_storage)
    storage = new_storage_name()
    environments.storages.append(storage)  # dropped after the test
    copying.copy_storage(PROJECT_STORAGE, storage)
    Environment.objects.create(name="copy", storage=storage, status=Environment.Status.READY)
    copy_api = EnvironmentApi(admin_token, "copy")

    # Deleted in the copy (SQLite: from the copy's file, main's attached): main still uses it.
    assert copy_api.delete(f"/uploads/{upload['id']}").status_code == 200
    assert copy_api.get(f"/uploads/{upload['id']}").status_code == 404
    assert stored_files(upload_storage) == [file]

    # Deleted in main too: no environment uses it any more.
    assert main_api.delete(f"/uploads/{upload['id']}").status_code == 200
    assert stored_files(upload_storage) == []
