"""Uploads: built by the uploads issue."""
