"""Loaded before pytest-django reads the settings (``-p tests.environment`` in setup.cfg).

The standalone host refuses to start without a SECRET_KEY (there is no
default). The tests get a random one per run unless the environment gives
one; the processes they start (workers, beat, the live host) inherit it.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
