"""The image library's admin: uploads (verified and re-encoded), thumbnails, alt text flags."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ShowFacets
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import conf
from ..images import library, processing, references, renditions
from ..models import Author, Image, Rendition
from .counting import BoundedPaginator
from .shared import URL_FIELDS, IndexedSearchMixin


def preview_html(image: Image | None) -> str:
    """The image's smallest WebP rendition for an admin form, or a dash."""
    if image is None or not image.pk or not image.file:
        return "—"
    webp = [r for r in renditions.ensure(image).values() if r.format == "WEBP"]
    if not webp:
        return "—"
    rendition = min(webp, key=lambda r: r.width)
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" class="image-preview">',
        rendition.url,
        rendition.width,
        rendition.height,
        image.alt_text,
    )


class ImageForm(forms.ModelForm):
    """An upload is verified and re-encoded while the form is cleaned: a refused file is
    the upload field's error, with what to do about it."""

    upload = forms.FileField(
        label=_("Upload"),
        required=False,
        help_text=_("A JPEG, PNG, WebP or GIF image. It is stored re-encoded, without EXIF."),
    )
    clean_image: processing.CleanImage | None = None

    class Meta:
        model = Image
        fields = ["upload", "source_url", "alt_text", "caption", "credit", "focal_x", "focal_y"]

        @staticmethod
        def formfield_callback(field: Any, **kwargs: Any) -> forms.Field | None:
            return field.formfield(**{**URL_FIELDS.get(type(field), {}), **kwargs})

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if not upload:
            return upload
        limit = conf.get("IMAGE_MAX_BYTES")
        if upload.size > limit:
            raise forms.ValidationError(
                _("This file is larger than %(limit)s MB: save it smaller and upload it again.")
                % {"limit": f"{limit / 1_000_000:g}"},
                code="too_large",
            )
        try:
            self.clean_image = processing.clean(upload.read())
        except processing.ImageRefused as refused:
            raise forms.ValidationError(str(refused), code=refused.code) from None
        existing = library.same_content(self.clean_image)
        if existing is not None and existing.pk != self.instance.pk:
            url = reverse("admin:newsroom_image_change", args=[existing.pk])
            raise forms.ValidationError(
                format_html(
                    'This image is already in the library: <a href="{}">{}</a>. Use that one.',
                    url,
                    existing,
                ),
                code="duplicate",
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_file = self.instance.pk and self.instance.file
        if not (has_file or data.get("upload") or data.get("source_url") or self.errors):
            raise forms.ValidationError(
                {"upload": _("Upload an image, or give the source URL to fetch it from.")},
                code="required",
            )
        return data


class AltTextFilter(admin.SimpleListFilter):
    title = _("alt text")
    parameter_name = "alt"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("missing", _("Missing alt text")), ("present", _("Has alt text"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Image]) -> QuerySet[Image]:
        if self.value() == "missing":
            return queryset.missing_alt_text()
        if self.value() == "present":
            return queryset.exclude(alt_text="")
        return queryset


def in_use(image: Image) -> bool:
    """Whether an item or an author shows the image (its featured image, a photo, or a
    body placing it). The bodies are searched only here, for one image of one reporter's."""
    from .. import kinds
    from ..images.references import SCHEME

    if Author.objects.filter(photo=image).exists():
        return True
    for kind in kinds.registered():
        items = kind.model._default_manager
        if items.filter(featured_image=image).exists():
            return True
        # "image:4" is in "image:42" too: the candidates are read to be sure.
        bodies = items.filter(body__contains=f"{SCHEME}{image.pk}").values_list("body", flat=True)
        if any(image.pk in references.placed(body) for body in bodies.iterator()):
            return True
    return False


@admin.register(Image)
class ImageAdmin(IndexedSearchMixin, admin.ModelAdmin):
    form = ImageForm
    formfield_overrides = URL_FIELDS
    list_display = ["thumbnail", "__str__", "alt_text_flag", "size", "fetch_status", "uploaded_at"]
    list_display_links = ["thumbnail", "__str__"]
    list_filter = [AltTextFilter, "fetch_status"]
    readonly_fields = [
        "preview",
        "size",
        "content_hash",
        "fetch_status",
        "fetch_error",
        "uploaded_by",
        "uploaded_at",
    ]
    fieldsets = [
        (None, {"fields": ["preview", "upload", "alt_text", "caption", "credit"]}),
        (_("Crops"), {"fields": ["focal_x", "focal_y"]}),
        (
            _("File"),
            {
                "fields": [
                    "size",
                    "source_url",
                    "fetch_status",
                    "fetch_error",
                    "content_hash",
                    "uploaded_by",
                    "uploaded_at",
                ]
            },
        ),
    ]
    # What the search box is for; search_condition decides what matches.
    search_fields = ["alt_text", "caption", "credit", "source_url", "content_hash"]
    search_help_text = _(
        "An image number, an exact source URL or SHA-256 hash, or words of the alt text, "
        "caption or credit."
    )
    paginator = BoundedPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    class Media:
        # Sizes in a stylesheet: the site's Content-Security-Policy allows no inline style.
        css = {"all": ["newsroom/admin.css"]}

    def has_change_permission(self, request: HttpRequest, obj: Image | None = None) -> bool:
        """Editors change any image; whoever may add images (reporters) changes their own
        uploads while nothing uses them: a picture on an item or an author's page is the
        editors' to change (a new file or alt text would reach published pages unreviewed)."""
        if super().has_change_permission(request, obj):
            return True
        return (
            obj is not None
            and obj.uploaded_by_id == request.user.pk
            and self.has_add_permission(request)
            and not in_use(obj)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Image | None = None) -> Any:
        # Where a picture comes from is the editors' to say: the fetcher downloads it.
        fields = list(super().get_readonly_fields(request, obj))
        if not super().has_change_permission(request, obj) and "source_url" not in fields:
            fields.append("source_url")
        return fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Image]:
        # The smallest WebP of each image: one query for the page.
        thumbnails = Rendition.objects.filter(format="WEBP").order_by("width")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("renditions", thumbnails, to_attr="thumbnails"))
        )

    def search_condition(self, request: HttpRequest, term: str) -> Q:
        # Numbers, URLs and hashes go through an index. Words match inside the three short
        # text columns; the list stops reading at its first page of matches.
        if term.isascii() and term.isdigit() and len(term) < 12:
            return Q(pk=int(term))
        if term.lower().startswith(("http://", "https://")):
            return Q(source_url=term)
        if len(term) == 64 and all(c in "0123456789abcdef" for c in term.lower()):
            return Q(content_hash=term.lower())
        return Q(alt_text__icontains=term) | Q(caption__icontains=term) | Q(credit__icontains=term)

    @admin.display(description=_("preview"))
    def thumbnail(self, obj: Image) -> str:
        found = getattr(obj, "thumbnails", None)
        if found:
            rendition = found[0]
            return format_html(
                '<img src="{}" width="{}" height="{}" alt="{}" class="image-thumbnail">',
                rendition.url,
                rendition.width,
                rendition.height,
                obj.alt_text,
            )
        if obj.file:
            return gettext("(no thumbnail yet)")
        return gettext("(not fetched yet)")

    @admin.display(description=_("preview"))
    def preview(self, obj: Image) -> str:
        return preview_html(obj)

    @admin.display(description=_("alt text"), ordering="alt_text")
    def alt_text_flag(self, obj: Image) -> str:
        if obj.alt_text.strip():
            return obj.alt_text
        return format_html('<strong class="missing-alt">{}</strong>', gettext("Missing alt text"))

    @admin.display(description=_("size"))
    def size(self, obj: Image) -> str:
        if obj.width and obj.height:
            return f"{obj.width} × {obj.height}"
        return "—"

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Image, form: ImageForm, change: bool) -> None:
        if form.clean_image is not None:
            obj.uploaded_by = request.user
            obj.fetch_status = Image.FetchStatus.NONE
            obj.fetch_error = ""
            old = obj.file.name if change else ""
            library.store(obj, form.clean_image)
            if old and not library.shares_file(obj, old):
                transaction.on_commit(lambda: obj.file.storage.delete(old))
        else:
            if not obj.file and obj.source_url:
                obj.fetch_status = Image.FetchStatus.PENDING
            if not change:
                obj.uploaded_by = request.user
            obj.save()
            if change and obj.file and {"focal_x", "focal_y"} & set(form.changed_data):
                renditions.remake(obj, crops_only=True)
        if change and (form.clean_image is not None or "alt_text" in form.changed_data):
            references.render_again_placing({obj.pk})
        if not obj.alt_text.strip():
            self.message_user(
                request,
                _(
                    "“%(image)s” has no alt text: readers who cannot see it are told nothing. "
                    "Describe the image in “alt text”."
                )
                % {"image": obj},
                messages.WARNING,
            )
