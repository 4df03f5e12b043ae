"""Part of the settings (cms/settings.py imports every name here): where the project and
its data live."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The embedded database, the generated secret key and local uploads (README "Configuration").
DATA_DIR = Path(os.environ.get("CMS_DATA_DIR") or BASE_DIR / "data").resolve()
