"""Where Ordo may send events: public addresses only, unless an admin allows a host.

A subscription's URL is chosen by whoever holds an admin key; without this check it
could point Ordo at its own loopback, the cloud's metadata service (169.254.169.254) or
any private address behind the firewall. Refused: loopback, link-local, private,
shared (100.64/10), unspecified (``0.0.0.0``, ``::``), multicast and reserved addresses,
in IPv4 and IPv6 (IPv4-mapped ``::ffff:127.0.0.1``, NAT64 ``64:ff9b::…``, 6to4 and
Teredo embeddings included), written in any form the C resolver accepts (``2130706433``,
``0x7f.1``, ``0177.0.0.1``, ``127.1``). A host name counts by every address it resolves
to, at subscription time and again before each delivery (so a name that later points
inside is refused then too). A host listed in ``ORDO_OUTBOUND_ALLOW_HOSTS`` (names or
addresses, comma-separated) is allowed as it is.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

__all__ = ["Resolver", "refusal", "resolve"]

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[str]]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def resolve(host: str) -> list[str]:
    """Every address ``host`` resolves to (the system resolver); empty when it does not."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def literal(host: str) -> IP | None:
    """``host`` as an IP address if it is written as one, in any form the resolver accepts."""
    h = host.strip().strip("[]")
    try:
        return ipaddress.ip_address(h.split("%", 1)[0])
    except ValueError:
        pass
    try:  # the legacy IPv4 forms: 2130706433, 0x7f000001, 0177.0.0.1, 127.1
        return ipaddress.IPv4Address(socket.inet_aton(h))
    except (OSError, ValueError, UnicodeError):
        return None


def _embedded(ip: IP) -> list[IP]:
    """``ip`` and any IPv4 address carried inside an IPv6 one."""
    out: list[IP] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            out.append(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            out.append(ip.sixtofour)
        if ip.teredo is not None:
            out.extend(ip.teredo)
        if ip in _NAT64:
            out.append(ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF))
    return out


def is_public(ip: IP) -> bool:
    return all(a.is_global and not a.is_multicast for a in _embedded(ip))


def refusal(url: str, allow_hosts: Iterable[str], resolver: Resolver = resolve) -> str | None:
    """None if events may go to ``url``, else why not (bilingual).

    ``resolver`` is only asked about host names (never about addresses written as such);
    a name that resolves to nothing is not refused here (there is nowhere to send yet),
    only a name with a non-public address among its answers."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        _ = parts.port  # a malformed port raises here
    except ValueError:
        return "not a valid URL / 地址格式无效"
    if not host:
        return "the URL names no host / 地址缺少主机名"
    allowed = {h.strip().lower().strip("[]").rstrip(".") for h in allow_hosts if h.strip()}
    if host.lower() in allowed:
        return None
    ip = literal(host)
    if ip is not None:
        if str(ip) in allowed or is_public(ip):
            return None
        return _private(host)
    for address in resolver(host):
        ip = literal(address)
        if ip is None or not is_public(ip):
            return _private(host)
    return None


def _private(host: str) -> str:
    return (
        f"{host} is a loopback, private, link-local or unspecified address: events go to public "
        "addresses only, unless an admin allows the host in ORDO_OUTBOUND_ALLOW_HOSTS / "
        f"「{host}」是本机、内网、链路本地或未指定地址：事件只发往公网地址，"
        "除非管理员在 ORDO_OUTBOUND_ALLOW_HOSTS 中允许该主机"
    )
