"""Settings of the catalogue benchmark's server: the marketplace's local settings with one
more URL, the bare view (``bench/catalogue_site.py``). Nothing else changes, so the bare
view passes through the same middleware as the catalogue."""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.catalogue_site"
