"""Bringing images known by URL into the library: each URL downloaded once (bounded in time
and size), verified like an upload, stored; the same URL or the same bytes reuse what is
stored. A failure is recorded on the image, which keeps its URL: pages go on showing it.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction

from .. import conf
from ..models import Image
from . import bodies, library, processing, references, renditions

FETCHED = "fetched"
REUSED = "reused"
FAILED = "failed"
USER_AGENT = "Newsroom image fetcher"


class FetchFailed(Exception):
    """Why a URL gave no image, for the report: a timeout, an HTTP error, too large."""


@dataclass(frozen=True)
class Outcome:
    url: str
    image: int
    outcome: str  # FETCHED, REUSED or FAILED
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.outcome}: {self.url} (image #{self.image})"
        return f"{text}: {self.detail}" if self.detail else text


def refuse_internal(url: str) -> None:
    """``FetchFailed`` unless every address ``url``'s host names is a public one: the fetcher
    must not be a way into the server's own network (loopback, private, link-local such
    as a cloud's metadata address). ``NEWSROOM_IMAGE_FETCH_INTERNAL = True`` allows them
    (a site whose pictures live on its own network)."""
    if conf.get("IMAGE_FETCH_INTERNAL"):
        return
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        raise FetchFailed(f"the host {host[:100]!r} cannot be found") from None
    for address in found:
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            raise FetchFailed(f"the host {host[:100]!r} is not a public address ({address})")


class _NoRedirectToOtherSchemes(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.lower().startswith(("http://", "https://")):
            raise FetchFailed(f"redirected to {newurl[:100]!r}, which is not an http(s) URL")
        refuse_internal(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_NoRedirectToOtherSchemes)


def _read(response, most: int, deadline: float) -> bytes:
    """Up to ``most`` bytes, within the deadline: the socket timeout alone bounds each
    read, and a server sending a byte a second would never time out."""
    chunks, size = [], 0
    while size < most:
        if time.monotonic() > deadline:
            raise TimeoutError
        # read1: what one receive brings (read() would wait for the whole 64 KiB, a
        # socket timeout per byte, far past the deadline).
        chunk = response.read1(min(64 * 1024, most - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def download(url: str) -> bytes:
    """The bytes at ``url``; ``FetchFailed`` past the time or size limit, or on an error."""
    if not url.lower().startswith(("http://", "https://")):
        raise FetchFailed("not an http(s) URL")
    refuse_internal(url)
    limit = conf.get("IMAGE_MAX_BYTES")
    seconds = conf.get("IMAGE_FETCH_SECONDS")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with _opener.open(request, timeout=seconds) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchFailed(f"{int(declared):,} bytes, over the limit of {limit:,}")
            data = _read(response, limit + 1, time.monotonic() + seconds)
    except urllib.error.HTTPError as error:
        raise FetchFailed(f"HTTP {error.code} {error.reason}") from None
    except TimeoutError:
        raise FetchFailed(f"no answer within {seconds:g} seconds (timeout)") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise FetchFailed(f"no answer within {seconds:g} seconds (timeout)") from None
        raise FetchFailed(f"cannot be downloaded ({reason})") from None
    if len(data) > limit:
        raise FetchFailed(f"more than {limit:,} bytes, over the limit")
    return data


@transaction.atomic
def _share(image: Image, source: Image) -> None:
    """Give ``image`` the file ``source`` stored: one file for one picture."""
    image.file.name = source.file.name
    image.width, image.height = source.width, source.height
    image.content_hash = source.content_hash
    image.fetch_status, image.fetch_error = Image.FetchStatus.FETCHED, ""
    image.save()
    renditions.ensure(image, have=[])


def _fail(image: Image, reason: str) -> None:
    image.fetch_status, image.fetch_error = Image.FetchStatus.FAILED, reason[:500]
    image.save(update_fields=["fetch_status", "fetch_error"])


def _fetch_url(url: str, images: list[Image]) -> Iterator[Outcome]:
    # An image fetched from this URL (not one that merely names it: anyone who uploads may
    # give an upload a source address).
    fetched = Image.objects.filter(source_url=url, fetch_status=Image.FetchStatus.FETCHED)
    stored = fetched.exclude(file="").order_by("pk").first()
    if stored is not None:
        for image in images:
            _share(image, stored)
            yield Outcome(url, image.pk, REUSED, f"same URL as image #{stored.pk}")
        return
    try:
        data = download(url)
        same = Image.objects.exclude(file="").filter(content_hash=processing.sha256(data))
        stored = same.order_by("pk").first()
        clean = None if stored is not None else processing.clean(data)
    except (FetchFailed, processing.ImageRefused) as error:
        for image in images:
            _fail(image, str(error))
            yield Outcome(url, image.pk, FAILED, str(error))
        return
    first, *others = images
    if stored is not None:
        _share(first, stored)
        yield Outcome(url, first.pk, REUSED, f"same content as image #{stored.pk}")
    else:
        first.fetch_status, first.fetch_error = Image.FetchStatus.FETCHED, ""
        library.store(first, clean)
        yield Outcome(url, first.pk, FETCHED, f"{first.width} × {first.height}")
    for image in others:
        _share(image, first)
        yield Outcome(url, image.pk, REUSED, f"same URL as image #{first.pk}")


def fetch(images: Iterable[Image]) -> Iterator[Outcome]:
    """Fetch ``images`` (those to be fetched), each distinct URL once, and say what came
    of each image."""
    by_url: dict[str, list[Image]] = {}
    for image in images:
        by_url.setdefault(image.source_url.strip(), []).append(image)
    for url, group in by_url.items():
        yield from _fetch_url(url, group)


def report_fetch(images: Iterable[Image], command) -> dict[str, int]:
    """Fetch ``images`` for a management command: a line per image, then the counts; then
    bodies that showed the fetched pictures by URL place them from the library, and those
    that placed them before they were fetched are rendered again."""
    counts = {FETCHED: 0, REUSED: 0, FAILED: 0}
    stored: set[int] = set()
    for outcome in fetch(images):
        counts[outcome.outcome] += 1
        if outcome.outcome != FAILED:
            stored.add(outcome.image)
        style = command.style.ERROR if outcome.outcome == FAILED else command.style.SUCCESS
        command.stdout.write(style(str(outcome)))
    command.stdout.write(
        "Images: {fetched} fetched, {reused} reused, {failed} failed.".format(**counts)
    )
    placed = bodies.place_fetched()
    if placed:
        command.stdout.write(f"Bodies: {placed} items now show pictures from the library.")
    rendered = references.render_again_placing(stored)
    if rendered:
        command.stdout.write(f"Bodies: {rendered} items placing fetched images rendered again.")
    return counts
