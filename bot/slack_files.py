"""Downloading a file someone shared with the bot, without handing the bot token to anyone but Slack.

The URL comes from files.info. The token goes only to https hosts of slack.com (Slack serves private files
from files.slack.com), or to the origin of the configured SLACK_API_URL (the local stand-in in tests);
any other URL, and any redirect leaving those hosts, is refused before a byte is sent.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from bot.services.errors import Invalid

TIMEOUT_SECONDS = 20


def allowed_url(url: str, api_url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname and (parts.hostname == "slack.com" or parts.hostname.endswith(".slack.com")):
        return True
    api = urlsplit(api_url)
    return (parts.scheme, parts.netloc.lower()) == (api.scheme, api.netloc.lower()) and parts.scheme in ("http", "https")


class _SameHostsOnly(urllib.request.HTTPRedirectHandler):
    def __init__(self, api_url: str) -> None:
        self.api_url = api_url

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not allowed_url(newurl, self.api_url):
            raise Invalid("Slack sent the file from an address opsbot doesn't trust; nothing was imported.")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def download(url: str | None, *, token: str, api_url: str, max_bytes: int, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The file's bytes; Invalid (plain words) when the URL isn't Slack's, the file is too big, or Slack says no."""
    if not url or not allowed_url(url, api_url):
        raise Invalid("Slack gave a download address opsbot doesn't trust; nothing was imported.")
    opener = urllib.request.build_opener(_SameHostsOnly(api_url))
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with opener.open(req, timeout=timeout) as resp:
            data = resp.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise Invalid(f"Slack wouldn't hand over the file (HTTP {exc.code}); nothing was imported. "
                      "Check that opsbot has the files:read scope.") from None
    except (urllib.error.URLError, TimeoutError, OSError):
        raise Invalid("Couldn't download the file from Slack just now; nothing was imported. Send it again in a minute.") from None
    if len(data) > max_bytes:
        raise Invalid(f"The file is over {max_bytes // 1_048_576} MB; nothing was imported.")
    return data
