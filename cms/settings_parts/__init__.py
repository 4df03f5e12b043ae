"""Blocks of the settings kept apart, each with the environment variables it reads
(cms/settings.py imports them; README "Configuration")."""
