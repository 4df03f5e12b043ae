"""The uploads' jobs, each run in the environment it was asked in (environments.scoped_jobs):
the upload collections' reorder and the bulk edits of uploads/bulk.py. All rerunnable:
running one twice leaves the uploads as once."""

import jobs
from environments.scoped_jobs import running_here
from menus.tasks import run_reorder
from uploads import bulk
from uploads.collections import UPLOAD_COLLECTIONS

COLLECTIONS_REORDER = "uploads.collections_reorder"


@jobs.handler(COLLECTIONS_REORDER, rerunnable=True)
def reorder_collections(job):
    return run_reorder(UPLOAD_COLLECTIONS, job)


@jobs.handler(bulk.TAG.job_kind, rerunnable=True)
def bulk_tag(job):
    with running_here(job):
        arguments = job.arguments
        return 200, bulk.bulk_tag(tags_to_add=arguments["tags"], upload_ids=arguments["uploads"])


@jobs.handler(bulk.SET_COLLECTION.job_kind, rerunnable=True)
def bulk_set_upload_collection(job):
    with running_here(job):
        arguments = job.arguments
        return 200, bulk.bulk_set_collection(
            collection_id=arguments["upload_collection"], upload_ids=arguments["uploads"]
        )
