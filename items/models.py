"""Records and blocks: built by the record-creation issue."""
