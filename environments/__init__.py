"""Environments: each holds its own content model, records and uploads, in a storage of its
own (a PostgreSQL schema, a SQLite file); see :mod:`environments.storages`."""
