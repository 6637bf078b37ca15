"""Django admin for fact-checks from outside and the feeds they come from. Imported text is
shown as text (the admin escapes it); a fact-check's address is only ever an http(s) link,
because the import refuses any other scheme."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from claims.factchecks.records import Rejected, checked_url
from claims.models import FactCheck, FactCheckFeed


@admin.register(FactCheck)
class FactCheckAdmin(admin.ModelAdmin):
    list_display = ("short_claim", "publisher_name", "textual_rating", "date_published",
                    "language", "origin", "link")
    list_filter = ("origin", "language")
    search_fields = ("claim_reviewed", "url", "publisher_name", "claimant")
    date_hierarchy = "date_published"
    list_select_related = ("feed", "claim")
    readonly_fields = ("imported_at", "updated_at", "fingerprint", "claim", "feed", "origin",
                       "source")
    show_full_result_count = False  # a million rows: no COUNT(*) per page

    @admin.display(description="Claim reviewed", ordering="claim_reviewed")
    def short_claim(self, obj: FactCheck) -> str:
        text = obj.claim_reviewed
        return text if len(text) <= 100 else text[:99] + "…"

    @admin.display(description="Fact-check")
    def link(self, obj: FactCheck) -> str:
        if not obj.url.startswith(("http://", "https://")):
            return obj.url
        return format_html('<a href="{}" rel="noopener noreferrer nofollow">open</a>', obj.url)


class FactCheckFeedForm(forms.ModelForm):
    class Meta:
        model = FactCheckFeed
        fields = ("name", "url", "enabled")

    def clean_url(self) -> str:
        """The address normalised, http or https only (it is fetched through the guard)."""
        try:
            return checked_url(self.cleaned_data["url"], "address")
        except Rejected as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(FactCheckFeed)
class FactCheckFeedAdmin(admin.ModelAdmin):
    form = FactCheckFeedForm
    list_display = ("name", "url", "enabled", "last_run_at", "last_success_at", "last_error")
    list_filter = ("enabled",)
    search_fields = ("name", "url")
    readonly_fields = ("last_run_at", "last_success_at", "last_error", "last_counts",
                       "created_at")
