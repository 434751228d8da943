"""An imported item's old addresses (its aliases) become permanent redirects to its page;
which addresses an alias may not claim is ``aliases.py``'s to say, this writes the rows.
"""

from __future__ import annotations

from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.utils.translation import gettext as _

from ..models import Publishable
from .aliases import item_at, why_reserved
from .records import ParsedItem
from .report import FileReport

REDIRECT_PATH_LIMIT = Redirect._meta.get_field("old_path").max_length
REDIRECT_NEW_PATH_LIMIT = Redirect._meta.get_field("new_path").max_length


def add_redirects(item: ParsedItem, obj: Publishable, identity: str, report: FileReport) -> None:
    """Make a redirect to ``obj`` from each alias no other page has: one insert for them all.

    An alias refused (reserved, too long, or already another item's) is left out with a
    warning on the file's report; the item imports without it.
    """
    if not item.aliases:
        return
    site = Site.objects.get_current()
    new_url = obj.get_absolute_url()
    existing = {
        redirect.old_path: redirect
        for redirect in Redirect.objects.filter(site=site, old_path__in=item.aliases)
    }
    new: dict[str, Redirect] = {}
    for alias in item.aliases:
        if alias == new_url or alias in new:
            continue
        reserved = why_reserved(alias)
        if reserved is not None:
            report.warnings.append(
                _(
                    "alias %(alias)s: not made a redirect, it is %(reason)s. The item is "
                    "imported without it."
                )
                % {"alias": alias[:200], "reason": reserved}
            )
            continue
        if len(new_url) > REDIRECT_NEW_PATH_LIMIT:
            report.warnings.append(
                f"alias {alias[:60]}: the new URL is longer than {REDIRECT_NEW_PATH_LIMIT} "
                "characters, so no redirect was made. Give the item a shorter slug."
            )
            continue
        if len(alias) > REDIRECT_PATH_LIMIT:
            report.warnings.append(
                f"alias {alias[:60]}… is longer than {REDIRECT_PATH_LIMIT} characters: "
                "no redirect made. Add a shorter one in the admin."
            )
            continue
        redirect = existing.get(alias)
        if redirect is None:
            new[alias] = Redirect(site=site, old_path=alias, new_path=new_url)
        elif redirect.new_path != new_url:
            report.warnings.append(
                f"alias {alias} already redirects to {redirect.new_path} "
                f"({_owner(redirect.new_path)}); not taken over for "
                f"“{obj.title}” ({identity}). Change the redirect in the admin if this "
                "item should have it."
            )
    Redirect.objects.bulk_create(new.values())


def _owner(path: str) -> str:
    """Whose page a redirect leads to, for a warning."""
    owner = item_at(path)
    if not owner:
        return "no item of this site"
    source = f", from {owner.source_path}" if owner.source_path else ""
    return f"“{owner.title}”{source}"
