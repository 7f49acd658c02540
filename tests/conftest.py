"""Shared test settings: hypothesis profiles (dev, ci, thorough), and a cache folder of the run's own."""

import atexit
import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile(
    "dev", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile(
    "thorough", max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The compiled-rulebook cache (needs_engine/rulebook/filecache.py) goes in a temporary folder for
# the whole run, one per process (each xdist worker has its own): no test reads or writes the
# user's own cache, and the commands tests start as subprocesses inherit the folder. Tests of the
# cache itself point NEEDS_ENGINE_CACHE_DIR at their own tmp_path.
_CACHE = tempfile.mkdtemp(prefix="needs-engine-test-cache-")
os.environ["NEEDS_ENGINE_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
