"""Publishing: write the site as a whole, under a lock, and serve it."""

from toolkit.publish.lock import build_lock, lock_path
from toolkit.publish.site import STATE_DIR, Staging, is_site, recover

__all__ = ["STATE_DIR", "Staging", "build_lock", "is_site", "lock_path", "recover"]
