"""Telling people from machines in opens and clicks (E5, T1).

Apple Mail Privacy Protection fetches every image of every message through Apple's
proxies as soon as it reaches the device, opened or not; link scanners of mail gateways
(Microsoft Safe Links, Mimecast, Proofpoint, Barracuda …) follow every link of a message
within seconds of its delivery. Counting those would make every campaign look read.

- An open is a proxy's when it comes from Apple's network (17.0.0.0/8) or with the bare
  user agent `Mozilla/5.0` that Apple's fetcher sends (a real mail client says more).
- A click is a machine's when it is a HEAD request, when its user agent names a scanner,
  a crawler or an HTTP library, or when a *different* link of the same message was
  clicked less than `BURST` before: people open one link at a time, scanners all at once.
"""

import datetime as dt
import ipaddress
import re

APPLE_NETWORK = ipaddress.ip_network("17.0.0.0/8")
APPLE_FETCHER = "Mozilla/5.0"
BURST = dt.timedelta(seconds=3)
SCANNER_AGENTS = re.compile(
    r"bot\b|crawl|spider|scan|python|curl|wget|go-http|java/|okhttp|libwww|httpclient|"
    r"barracuda|mimecast|proofpoint|safelinks|urldefense|trendmicro|sophos|forcepoint|"
    r"microsoft office existence|preview",
    re.IGNORECASE,
)


def _ip(address: str | None):
    try:
        return ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None


def proxy_open(*, user_agent: str, ip: str | None) -> bool:
    address = _ip(ip)
    if address is not None and address.version == 4 and address in APPLE_NETWORK:
        return True
    return user_agent.strip() == APPLE_FETCHER


def machine_click(*, user_agent: str, method: str) -> bool:
    """A click that is a machine's on its own; bursts are judged with the other clicks."""
    if method.upper() == "HEAD":
        return True
    return not user_agent.strip() or bool(SCANNER_AGENTS.search(user_agent))
