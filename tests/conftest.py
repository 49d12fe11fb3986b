"""Shared test configuration: Hypothesis profiles.

``ci`` (the default, and what ``.ci/run`` uses): no deadline, derandomized so a CI run is
reproducible, enough examples to mean something.  ``dev``: fewer examples, random seeds,
for a quick local loop (``HYPOTHESIS_PROFILE=dev python -m pytest``).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    max_examples=200,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=50)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
