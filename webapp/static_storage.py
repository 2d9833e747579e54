"""Static file URLs under the script prefix of the request being served.

Behind API Gateway without a custom domain every URL starts with the stage ("/web/..."):
Zappa passes it to Django as SCRIPT_NAME and reverse() follows it, but Django's static
storages fix their base URL when first used (at start-up, outside any request), so pages
would link to "/static/...", which API Gateway answers with 403. These storages ask for the
prefix on every URL; with a custom domain (or runserver) the prefix is "/" and nothing
changes. Whitenoise still finds the files by path_info, which never carries the prefix.
"""

from django.contrib.staticfiles.storage import StaticFilesStorage
from django.urls import get_script_prefix
from whitenoise.storage import CompressedManifestStaticFilesStorage


class ScriptPrefixedMixin:
    @property
    def base_url(self) -> str:
        url = self._base_url or "static/"
        if url.startswith(("/", "http://", "https://")):
            return url
        return get_script_prefix() + url


class PrefixedStaticFilesStorage(ScriptPrefixedMixin, StaticFilesStorage):
    """Development: files straight from the apps' static folders."""


class PrefixedManifestStaticFilesStorage(ScriptPrefixedMixin, CompressedManifestStaticFilesStorage):
    """Production: collected, hashed, compressed; served by whitenoise."""
