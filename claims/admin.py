"""Django admin for every model: the admins' view of everything, with history.

Every changelist selects the relations its columns show, so a page makes the same number
of queries whatever the number of rows (tests/test_admin.py pins it)."""

import re
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from claims.choices import VerdictState
from claims.exporters.admin_actions import CLAIM_ACTIONS, VERDICT_ACTIONS
from claims.factchecks.records import Rejected, checked_url
from claims.models import (
    SUBSCRIBABLE_EVENTS,
    ApiToken,
    Article,
    Capture,
    Claim,
    Claimant,
    ClaimantMerge,
    ClaimFactCheckLink,
    ClaimSuggestion,
    Evidence,
    FactCheck,
    FactCheckFeed,
    Notification,
    Rating,
    RatingScale,
    Source,
    Tag,
    TokenScope,
    Verdict,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from claims.models.tokens import SCOPE_HELP, scopes_normalised
from claims.permissions import has_permission, refusal_text, refusal_words
from claims.selectors.published import claim_has_published_verdict, claims_showing
from claims.services.articles import article_language
from claims.services.claim_store import claim_language
from claims.services.claimants import claimant_merge_confirm, claimant_merge_decline
from claims.services.claims import CLAIM_READER_FIELDS, claim_admin_change
from claims.services.factchecks import factcheck_sync_claim
from claims.services.published import (
    claims_under_review_showing,
    published_edit_check,
    published_edit_record,
    reviewed_edit_check,
)
from claims.services.sources import source_refetch
from claims.services.tokens import api_token_check, api_token_create, api_token_revoke
from claims.services.webhooks import (
    webhook_redeliver,
    webhook_rotate_secret,
    webhook_send_test,
    webhook_subscribe,
    webhook_subscription_update,
    webhook_target_check,
)


def _report(model_admin, request, done: int, what: str, refused: list[str]) -> None:
    if done:
        model_admin.message_user(request, f"{done} {what}.", messages.SUCCESS)
    for line in refused:
        model_admin.message_user(request, line, messages.WARNING)


def act_on_each(model_admin, request, records, act, what: str, name=str) -> None:
    """An admin action: `act` on each record, then one message that it was done to so many
    (`what`), and one for each record a service refused, named by `name`, in its words."""
    done, refused = 0, []
    for record in records:
        try:
            act(record)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            refused.append(f"{name(record)}: {refusal_text(exc)}")
    _report(model_admin, request, done, what, refused)


@dataclass(frozen=True)
class Refusal:
    """Why the admin will not do something to a record, in words, and where to go instead."""

    text: str
    url: str = ""
    link_text: str = ""


def _desk_link(claim) -> tuple[str, str]:
    return reverse("claims:claim-detail", args=[claim.pk]), "Open the claim on the desk"


def _waiting(claims) -> str:
    """How the current verdicts of `claims` (under review) stand, in words."""
    states = set(Verdict.objects.filter(claim__in=claims, is_current=True)
                 .values_list("state", flat=True))
    return "waiting for review" if VerdictState.SUBMITTED in states else "approved"


def shown_record_refusal(obj, *, doing: str) -> Refusal | None:
    """Why `doing` (e.g. "deleted") is refused for a claim, evidence, claimant or article
    readers see on a published fact-check, or will see once the verdict under review that
    shows it is published; None when neither holds."""
    name = type(obj)._meta.verbose_name
    published = claims_showing(obj)
    if published:
        url, link_text = _desk_link(published[0])
        if isinstance(obj, Claim):
            return Refusal(f"A published fact-check cannot be {doing}: readers have seen it. "
                           "Start a correction to withdraw or change it.", url, link_text)
        where = (f"the published fact-check of “{published[0].statement}”"
                 if len(published) == 1 else
                 f"{len(published)} published fact-checks (the first: "
                 f"“{published[0].statement}”)")
        return Refusal(f"This {name} is shown on {where}: readers have seen it, so it cannot "
                       f"be {doing}. Start a correction to withdraw or change it.",
                       url, link_text)
    reviewed = claims_under_review_showing(obj)
    if reviewed:
        url, link_text = _desk_link(reviewed[0])
        whose = ("This claim’s verdict is" if isinstance(obj, Claim) else
                 f"The verdict on “{reviewed[0].statement}”, which shows this {name}, is"
                 if len(reviewed) == 1 else f"{len(reviewed)} verdicts that show this {name} are")
        return Refusal(f"{whose} {_waiting(reviewed)}: readers will see what the reviewer saw, "
                       f"so this {name} cannot be {doing} now. Ask a reviewer to send the "
                       "verdict back for changes first.", url, link_text)
    return None


@admin.action(description="Delete selected %(verbose_name_plural)s", permissions=["delete"])
def delete_selected_unless_refused(modeladmin, request, queryset):
    """Django's "Delete selected", unless a selected record may not be deleted: then nothing
    is deleted, and the admin is told which records and why (never Django's "your account
    doesn't have permission", which is not the reason)."""
    refused = [(obj, refusal) for obj in queryset
               if (refusal := modeladmin.delete_refusal(obj)) is not None]
    if not refused:
        return delete_selected(modeladmin, request, queryset)
    plural = modeladmin.opts.verbose_name_plural
    modeladmin.message_user(
        request, f"Nothing was deleted: {len(refused)} of the selected {plural} cannot be "
        f"deleted, as said below. Unselect them to delete the others.", messages.ERROR)
    for obj, refusal in refused[:20]:
        modeladmin.message_user(request, f"“{obj}”: {refusal.text}", messages.WARNING)
    if len(refused) > 20:
        modeladmin.message_user(request, f"And {len(refused) - 20} more.", messages.WARNING)
    return None


class RefusalAdminMixin:
    """Says in words what this admin will not do to a record, and what can be done instead:

    - `delete_refusal(obj)`: why the record cannot be deleted. The change page shows it in
      place of the Delete link, the delete page answers with it (403, in words), and "Delete
      selected" deletes nothing and lists the records refused and why.
    - `frozen_note(request, obj)`: why the record (or what readers see of it) does not change
      here, shown at the top of its change page. With `frozen_note.read_only` the page has
      nothing to save, so it shows no Save buttons."""

    def delete_refusal(self, obj) -> Refusal | None:
        return None

    def frozen_note(self, request, obj) -> Refusal | None:
        return None

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.delete_refusal(obj) is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                delete_selected_unless_refused, "delete_selected",
                actions["delete_selected"][2])
        return actions

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        if obj is not None and obj.pk is not None:
            # Only to someone who could delete such records: to anyone else the reason
            # is their account, and Django shows no Delete link.
            if super().has_delete_permission(request):
                context["delete_refusal"] = self.delete_refusal(obj)
            note = self.frozen_note(request, obj)
            context["frozen_note"] = note
            if note is not None and getattr(note, "read_only", False):
                context.update(show_save=False, show_save_and_continue=False,
                               show_save_and_add_another=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        refusal = self.delete_refusal(obj) if obj is not None else None
        if refusal is None or not super().has_delete_permission(request):
            return super().delete_view(request, object_id, extra_context)
        return self.refused_response(request, obj, refusal, doing="delete", step="Delete")

    def refused_response(self, request, obj, refusal: Refusal, *, doing: str, step: str):
        """The answer to a refused step (403): the reason in words and where to go instead,
        on an admin page, never a bare "403 Forbidden"."""
        context = {
            **self.admin_site.each_context(request),
            "title": f"Cannot {doing} this {self.opts.verbose_name}",
            "subtitle": str(obj),
            "object": obj,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "refusal": refusal,
            "step": step,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/claims/refused.html", context, status=403)


@dataclass(frozen=True)
class FrozenNote(Refusal):
    """A frozen_note; `read_only`: nothing on the page can be saved."""

    read_only: bool = False


class PublishedRecordForm(forms.ModelForm):
    """An admin change form that guards what readers see of a published fact-check: a change
    to one of `reader_fields` of a record a published fact-check shows is refused unless the
    admin may override (published_edit_check) and gives a reason, which is
    recorded (PublishedEdit, and the history row's change reason) and listed in the public
    corrections log. The usual way is a correction, reviewed by a second person."""

    published_change_reason = forms.CharField(
        label="Reason for changing a published fact-check", required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Readers see this record on a published fact-check. Changes normally go "
        "through a correction; an override needs a reason, which is recorded and shown in the "
        "public corrections log.",
    )
    reader_fields: tuple[str, ...] = ()
    record_name = "record"
    request_user = None

    def reader_changes(self) -> list[str]:
        return [name for name in self.changed_data if name in self.reader_fields]

    def clean(self):
        cleaned = super().clean()
        self.published_claims = claims_showing(self.instance) if self.instance.pk \
            else []
        changed = self.reader_changes()
        what = f"{self.record_name}’s " + ", ".join(
            str(self.fields[name].label).lower() for name in changed)
        if changed and self.instance.pk:
            try:
                reviewed_edit_check(self.instance, what)
            except ValidationError as exc:
                raise forms.ValidationError(refusal_words(exc)) from None
        if changed and self.published_claims:
            try:
                published_edit_check(
                    user=self.request_user, reason=cleaned.get("published_change_reason", ""),
                    what=what)
            except (ValidationError, PermissionDenied) as exc:
                raise forms.ValidationError(refusal_words(exc)) from None
            stored = type(self.instance).objects.get(pk=self.instance.pk)
            self.published_changes = {
                name: {"before": str(getattr(stored, name)),
                       "after": str(cleaned.get(name))}
                for name in changed
            }
        else:
            self.published_changes = {}
        return cleaned


class PublishedRecordAdminMixin(RefusalAdminMixin):
    """Wires PublishedRecordForm into a ModelAdmin: the reason field shows only on a record a
    published fact-check shows, and an override is recorded with the save. Such a record, or
    one a verdict under review shows, is never deleted, and its page says why."""

    def delete_refusal(self, obj) -> Refusal | None:
        return shown_record_refusal(obj, doing="deleted")

    def frozen_note(self, request, obj) -> FrozenNote | None:
        name = type(obj)._meta.verbose_name
        published = claims_showing(obj)
        if published:
            url, link_text = _desk_link(published[0])
            what = ("This claim’s fact-check is published" if isinstance(obj, Claim) else
                    f"Readers see this {name} on a published fact-check")
            if has_permission(request.user, "change_published_claim"):
                return FrozenNote(f"{what}: what readers see of it changes through a "
                                  "correction on the desk. An override here needs a reason, "
                                  "which is recorded and listed in the public corrections "
                                  "log.", url, link_text)
            return FrozenNote(f"{what}: what readers see of it changes only through a "
                              "correction on the desk.", url, link_text)
        reviewed = claims_under_review_showing(obj)
        if reviewed:
            url, link_text = _desk_link(reviewed[0])
            whose = ("This claim’s verdict is" if isinstance(obj, Claim) else
                     f"The verdict on “{reviewed[0].statement}”, which shows this {name}, is")
            return FrozenNote(f"{whose} {_waiting(reviewed)}: what readers will see of this "
                              f"{name} cannot change until a reviewer sends the verdict back "
                              "for changes.", url, link_text)
        return None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request_user = request.user
        return form

    def get_fields(self, request, obj=None):

        fields = list(super().get_fields(request, obj))
        if obj is None or not claims_showing(obj):
            fields = [f for f in fields if f != "published_change_reason"]
        return fields

    def save_model(self, request, obj, form, change):

        changes = getattr(form, "published_changes", {})
        if changes:
            reason = form.cleaned_data["published_change_reason"].strip()
            # The history's reason column holds 100 characters; PublishedEdit keeps it whole.
            label = f"Changed outside a correction: {reason}"
            obj._change_reason = label if len(label) <= 100 else label[:99] + "…"
        super().save_model(request, obj, form, change)
        if changes:
            published_edit_record(
                claims=form.published_claims, user=request.user, reason=reason,
                record=form.record_name, changes=changes)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The desk's own FactCheck rows say what readers see (claim reviewed, claimant, ...):
        # an override of a published record brings them in step, as a correction would.
        for claim in getattr(form, "published_claims", ()):
            factcheck_sync_claim(claim.pk)



class ClaimAdminForm(PublishedRecordForm):
    reader_fields = CLAIM_READER_FIELDS
    record_name = "claim"

    def reader_changes(self) -> list[str]:
        # Compared with the claim as stored, not with the form's initial values: the
        # history's "revert" form starts from an old version, so its changed_data is empty.
        if self.instance.pk is None:
            return []
        stored = type(self.instance).objects.get(pk=self.instance.pk)
        changed = []
        for name in self.reader_fields:
            if name not in self.fields or name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            value = value.pk if hasattr(value, "pk") else value
            if value != getattr(stored, Claim._meta.get_field(name).attname):
                changed.append(name)
        return changed


class EvidenceAdminForm(PublishedRecordForm):
    reader_fields = ("claim", "source", "stance", "note", "excerpt")
    record_name = "evidence"


class ClaimantAdminForm(PublishedRecordForm):
    # The kind too: readers see a Person or an Organization in the ClaimReview record.
    reader_fields = ("name", "kind", "role", "organisation", "url")
    record_name = "claimant"


class ArticleAdminForm(PublishedRecordForm):
    reader_fields = ("title", "url", "outlet", "author", "published_on", "is_internal")
    record_name = "article"

    def reader_changes(self) -> list[str]:
        changed = super().reader_changes()
        if "is_internal" in changed and self.cleaned_data.get("is_internal"):
            changed.remove("is_internal")  # hiding an article from readers needs no reason
        return changed


admin.site.site_header = "Factcheck administration"
admin.site.site_title = "Factcheck admin"
admin.site.index_title = "Desk records"


@admin.register(Article)
class ArticleAdmin(PublishedRecordAdminMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "outlet", "published_on", "status", "is_internal", "claim_count",
                    "created_at"]
    list_filter = ["status", "is_internal", "outlet", "published_on"]
    search_fields = ["title", "outlet", "url"]
    date_hierarchy = "created_at"
    # The language is detected from the text whenever it is saved (article_language).
    readonly_fields = ["body_sha256", "language", "created_at", "updated_at"]
    raw_id_fields = ["created_by"]
    list_select_related = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not change or "body" in form.changed_data:
            obj.language = article_language(obj.body, declared=obj.language)
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_claim_count=Count("claims"))

    @admin.display(description="Claims", ordering="_claim_count")
    def claim_count(self, obj):
        return obj._claim_count


@admin.register(Claimant)
class ClaimantAdmin(PublishedRecordAdminMixin, SimpleHistoryAdmin):
    form = ClaimantAdminForm
    list_display = ["name", "kind", "role", "organisation"]
    search_fields = ["name", "organisation", "role"]
    list_filter = ["kind", "organisation"]


@admin.register(ClaimantMerge)
class ClaimantMergeAdmin(admin.ModelAdmin):
    """Merges are proposed on the desk's Claimants page; here they are read, and confirmed
    or declined through the same services (claimant_merge_confirm, claimant_merge_decline)."""

    list_display = ["duplicate_name", "kept_name", "state", "proposed_by", "proposed_at",
                    "decided_by", "decided_at", "claims_moved"]
    list_filter = ["state"]
    search_fields = ["duplicate_name", "kept_name"]
    list_select_related = ["proposed_by", "decided_by"]
    readonly_fields = [f.name for f in ClaimantMerge._meta.fields]
    actions = ["confirm_merges", "decline_merges"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _decide(self, request, queryset, service, done: str):
        for merge in queryset:
            try:
                service(merge=merge, user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{merge}: {refusal_text(exc)}", messages.ERROR)
            else:
                self.message_user(request, f"{merge.duplicate_name} into {merge.kept_name}: "
                                  f"{done}.", messages.SUCCESS)

    @admin.action(description="Confirm selected merges (moves the claims)")
    def confirm_merges(self, request, queryset):
        self._decide(request, queryset, claimant_merge_confirm, "merged")

    @admin.action(description="Decline selected merges")
    def decline_merges(self, request, queryset):
        self._decide(request, queryset, claimant_merge_decline, "declined")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class EvidenceInline(admin.StackedInline):
    """Stacked, not tabular: a row of a note, an excerpt and a source picker side by side made
    the claim page about 1,900 px wide, and a table cell's field has no label of its own."""

    model = Evidence
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "stance", "note", "excerpt", "created_by"]
    raw_id_fields = ["created_by"]

    # On a published claim the evidence is shown read-only here: readers see what its
    # verdict cites, so a change goes through a correction or the evidence's own change page
    # (with a recorded reason). So it is while the claim's verdict waits for review or is
    # approved: readers will see what the reviewer saw.
    def _published(self, obj) -> bool:

        return obj is not None and (claim_has_published_verdict(obj)
                                    or bool(claims_under_review_showing(obj)))

    def get_readonly_fields(self, request, obj=None):
        return self.fields if self._published(obj) else super().get_readonly_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return not self._published(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._published(obj) and super().has_delete_permission(request, obj)


class VerdictInline(admin.StackedInline):
    model = Verdict
    fk_name = "claim"
    extra = 0
    fields = ["version", "is_current", "state", "rating", "summary", "author", "reviewer",
              "published_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Verdicts change only through the workflow (services), never as an inline edit.
        return False


@admin.register(Claim)
class ClaimAdmin(PublishedRecordAdminMixin, SimpleHistoryAdmin):
    form = ClaimAdminForm
    list_display = ["statement", "claimant", "article", "status", "assignee", "claimed_on",
                    "created_at"]
    list_filter = ["status", "claimed_on", "tags", "assignee"]
    search_fields = ["statement", "quote", "claimant__name", "article__title"]
    autocomplete_fields = ["article", "claimant", "assignee", "tags", "appearance_of"]
    list_select_related = ["claimant", "article", "assignee"]
    date_hierarchy = "created_at"
    # The status follows the workflow: the desk's status control (claim_set_status) and the
    # verdict's transitions set it, never a form field here.
    readonly_fields = ["status", "not_checkable_reason", "anchor_start", "anchor_end",
                       "anchor_prefix", "anchor_suffix", "language", "version", "created_by",
                       "created_at", "updated_at"]
    inlines = [EvidenceInline, VerdictInline]
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        """A change goes through the services (claim_admin_change): the rules about what
        readers see, the recorded override, and claim_save's version and history."""
        if not change:
            obj._history_user = request.user
            obj.language = claim_language(obj.statement, obj.quote,
                                          article_language=obj.article.language)
            obj.save()
            return
        claim_admin_change(
            claim=obj, user=request.user,
            reason=form.cleaned_data.get("published_change_reason", ""),
            tags_changed="tags" in form.changed_data,
        )

    def revert_disabled(self, request, obj=None):
        # Reverting to an old version would go around the workflow and the correction rules.
        return True

    class Media:
        # Accessible names for the autocomplete widgets and underlined breadcrumbs (axe-core:
        # tests/e2e/test_accessibility.py).
        css = {"all": ["css/admin.css"]}
        js = ["js/admin_a11y.js"]
    show_full_result_count = False


class CaptureInline(admin.TabularInline):
    model = Capture
    extra = 0
    fields = ["started_at", "status", "http_status", "content_type", "size_bytes", "sha256",
              "error_kind", "error_message", "snapshot"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    ordering = ["-started_at"]

    def has_add_permission(self, request, obj=None):
        return False


class SourceDomainFilter(admin.SimpleListFilter):
    """The busiest domains only: a DISTINCT over every domain would not scale."""

    title = "domain"
    parameter_name = "domain"

    def lookups(self, request, model_admin):
        busiest = (Source.objects.order_by().values_list("domain").annotate(n=Count("id"))
                   .order_by("-n", "domain")[:30])
        return [(domain, f"{domain} ({n})") for domain, n in busiest]

    def queryset(self, request, queryset):
        return queryset.filter(domain=self.value()) if self.value() else queryset


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "domain", "status", "attempts", "last_fetched_at", "last_error_kind"]
    list_filter = ["status", SourceDomainFilter, "last_error_kind", "is_dead"]
    actions = ["refetch_selected"]
    search_fields = ["url", "normalized_url", "title", "domain"]
    readonly_fields = ["normalized_url", "domain", "attempts", "next_attempt_at",
                       "status_changed_at", "last_fetched_at", "created_at", "updated_at"]
    raw_id_fields = ["created_by"]
    inlines = [CaptureInline]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.action(description="Re-fetch selected sources")
    def refetch_selected(self, request, queryset):
        act_on_each(self, request, queryset, lambda source: source_refetch(
            source=source, user=request.user), "source(s) queued to be fetched again")


@admin.register(Capture)
class CaptureAdmin(admin.ModelAdmin):
    list_display = ["source", "status", "http_status", "content_type", "size_bytes", "started_at"]
    list_filter = ["status", "error_kind"]
    search_fields = ["source__url", "final_url", "sha256"]
    list_select_related = ["source"]
    raw_id_fields = ["source"]
    date_hierarchy = "started_at"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        # A capture is a record of what happened: it is never edited.
        return [f.name for f in self.model._meta.fields]


@admin.register(Evidence)
class EvidenceAdmin(PublishedRecordAdminMixin, SimpleHistoryAdmin):
    form = EvidenceAdminForm
    list_display = ["claim", "source", "stance", "created_by", "created_at"]
    list_filter = ["stance"]
    search_fields = ["note", "excerpt", "claim__statement", "source__url"]
    autocomplete_fields = ["claim", "source"]
    raw_id_fields = ["created_by"]
    list_select_related = ["claim", "source", "created_by"]
    date_hierarchy = "created_at"


class RatingForm(forms.ModelForm):
    """Colour as a colour picker, and the database's rules said in words before saving."""

    class Meta:
        model = Rating
        fields = ["position", "label", "slug", "value", "colour", "definition"]
        widgets = {
            "colour": forms.TextInput(attrs={"type": "color"}),
            "definition": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "position": forms.NumberInput(attrs={"style": "width: 5em"}),
        }

    def clean_colour(self):
        colour = self.cleaned_data["colour"]
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour or ""):
            raise forms.ValidationError("Give the colour as # and six hex digits, e.g. #1a7f37.")
        return colour.lower()


class RatingInline(admin.TabularInline):
    model = Rating
    form = RatingForm
    extra = 0
    prepopulated_fields = {"slug": ["label"]}
    fields = ["position", "label", "slug", "value", "colour", "definition"]
    ordering = ["position", "id"]


class RatingScaleForm(forms.ModelForm):
    class Meta:
        model = RatingScale
        fields = ["name", "slug", "description", "is_default"]

    def clean_is_default(self):
        is_default = self.cleaned_data["is_default"]
        other = RatingScale.objects.filter(is_default=True).exclude(pk=self.instance.pk).first()
        if is_default and other:
            raise forms.ValidationError(
                f"“{other}” is the default scale; untick it there first (the public "
                "methodology page is generated from the default scale)."
            )
        return is_default


@admin.register(RatingScale)
class RatingScaleAdmin(admin.ModelAdmin):
    """Admins edit the scale and its levels here: position orders them, value places them on
    the truth scale (empty for a level such as Unverifiable), the colour and the definition
    appear on the public methodology page and on every fact-check."""

    form = RatingScaleForm
    list_display = ["name", "slug", "is_default"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RatingInline]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    form = RatingForm
    list_display = ["label", "swatch", "scale", "value", "position", "colour"]
    list_editable = ["position", "colour"]
    list_filter = ["scale"]
    search_fields = ["label", "definition"]
    list_select_related = ["scale"]
    ordering = ["scale", "position", "id"]

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", RatingForm)
        return super().get_changelist_form(request, **kwargs)

    @admin.display(description="Colour")
    def swatch(self, obj):
        return format_html(
            '<span style="display:inline-block;width:1.5em;height:1em;background:{}" '
            'aria-hidden="true"></span>', obj.colour
        )


@admin.register(Verdict)
class VerdictAdmin(RefusalAdminMixin, SimpleHistoryAdmin):
    list_display = ["claim", "version", "state", "rating", "author", "reviewer", "published_at",
                    "is_current"]
    list_filter = ["state", "is_current", "rating"]
    search_fields = ["summary", "rationale", "claim__statement"]
    autocomplete_fields = ["claim", "rating", "author", "reviewer", "evidence"]
    list_select_related = ["claim", "rating", "author", "reviewer"]
    readonly_fields = ["supersedes", "lock_version", "submitted_at", "approved_at",
                       "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        # A verdict changes only through the workflow (services: review, two-person rule,
        # corrections); the admin shows every record and its history but edits none.
        return [f.name for f in self.model._meta.fields] + ["evidence"]
    date_hierarchy = "updated_at"
    show_full_result_count = False

    def delete_refusal(self, obj) -> Refusal | None:
        url, link_text = _desk_link(obj.claim)
        if obj.state == VerdictState.PUBLISHED:
            return Refusal("A published verdict cannot be deleted: readers have seen it. Start "
                           "a correction to withdraw or change it.", url, link_text)
        if claim_has_published_verdict(obj.claim_id):
            return Refusal("Every version of a published fact-check is kept for the record, "
                           "so this verdict cannot be deleted. A correction is written and "
                           "reviewed on the desk.", url, link_text)
        if obj.state in (VerdictState.SUBMITTED, VerdictState.APPROVED):
            waiting = ("waiting for review" if obj.state == VerdictState.SUBMITTED
                       else "approved")
            return Refusal(f"This verdict is {waiting}, so it cannot be deleted now. Ask a "
                           "reviewer to send it back for changes first.", url, link_text)
        return None

    def frozen_note(self, request, obj) -> FrozenNote:
        """Every field here is read-only (get_readonly_fields): the page has nothing to save
        and says where the verdict does change."""
        url, link_text = _desk_link(obj.claim)
        if obj.state == VerdictState.PUBLISHED:
            text = "This verdict is published: it changes only through a correction on the desk."
        elif not obj.is_current:
            text = ("This is an earlier version of the fact-check, kept for the record: it "
                    "never changes.")
        elif obj.state == VerdictState.SUBMITTED:
            text = ("This verdict is waiting for review: on the desk a reviewer approves it or "
                    "sends it back for changes, and only then does it change.")
        elif obj.state == VerdictState.APPROVED:
            text = ("This verdict is approved: on the desk it is published, or sent back for "
                    "changes, and only then does it change.")
        else:
            text = ("This verdict is being written: its author edits it on the desk, where it "
                    "is reviewed by a second person before it is published. Here you see the "
                    "record and its history.")
        return FrozenNote(text, url, link_text, read_only=True)

    def revert_disabled(self, request, obj=None):
        # Reverting would write an old version's state and text around the workflow.
        return True

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Nothing here is saved: a POST (a stale page, a hand-made request) is refused in
        # words rather than written as an empty change outside the workflow.
        obj = self.get_object(request, unquote(object_id)) if request.method == "POST" else None
        if obj is not None:
            return self.refused_response(request, obj, self.frozen_note(request, obj),
                                         doing="change", step="Save")
        return super().change_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A history page shows an old version; it never writes it back (revert_disabled).
        obj = self.get_object(request, unquote(object_id)) if request.method == "POST" else None
        if obj is not None:
            return self.refused_response(request, obj, self.frozen_note(request, obj),
                                         doing="revert", step="Revert")
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "verb", "message", "created_at", "read_at"]
    list_filter = ["verb"]
    search_fields = ["message", "recipient__username"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "claim", "verdict"]


@admin.register(ClaimSuggestion)
class ClaimSuggestionAdmin(admin.ModelAdmin):
    list_display = ["text", "article", "score", "language", "dismissed_at", "claim"]
    list_filter = ["dismissed_at"]
    readonly_fields = ["language"]
    search_fields = ["text", "article__title"]
    list_select_related = ["article", "claim"]
    raw_id_fields = ["article", "claim", "dismissed_by"]


# The export actions (claims/exporters/admin_actions.py), beside each admin's own actions.
ClaimAdmin.actions = [*(ClaimAdmin.actions or ()), *CLAIM_ACTIONS]
VerdictAdmin.actions = [*(VerdictAdmin.actions or ()), *VERDICT_ACTIONS]


# Fact-checks from outside and the feeds they come from. Imported text is shown as text (the
# admin escapes it); a fact-check's address is only ever an http(s) link, because the import
# refuses any other scheme.
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
        fields = ("name", "url", "enabled", "interval_hours")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hours = self.fields["interval_hours"]
        hours.required, hours.min_value = False, 1
        hours.widget.attrs["min"] = 1

    def clean_interval_hours(self) -> int:
        """Left empty: the model's default (daily)."""
        hours = self.cleaned_data.get("interval_hours")
        if hours is None:
            return FactCheckFeed._meta.get_field("interval_hours").default
        if hours < 1:
            raise forms.ValidationError("Re-import it at most once an hour: give 1 or more.")
        return hours

    def clean_url(self) -> str:
        """The address normalised, http or https only (it is fetched through the guard)."""
        try:
            return checked_url(self.cleaned_data["url"], "address")
        except Rejected as exc:
            raise forms.ValidationError(str(exc)) from exc


@admin.register(FactCheckFeed)
class FactCheckFeedAdmin(admin.ModelAdmin):
    form = FactCheckFeedForm
    list_display = ("name", "url", "enabled", "interval_hours", "last_run_at",
                    "last_success_at", "next_run_at", "failures", "last_error")
    list_filter = ("enabled",)
    search_fields = ("name", "url")
    readonly_fields = ("last_run_at", "last_success_at", "next_run_at", "failures", "last_error",
                       "last_counts", "created_at")


@admin.register(ClaimFactCheckLink)
class ClaimFactCheckLinkAdmin(SimpleHistoryAdmin):
    """Which claims editors linked to a fact-check that already checked them."""

    list_display = ("claim", "factcheck", "linked_by", "linked_at")
    search_fields = ("claim__statement", "factcheck__claim_reviewed", "factcheck__url")
    list_select_related = ("claim", "factcheck", "linked_by")
    raw_id_fields = ("claim", "factcheck", "linked_by")
    readonly_fields = ("linked_at",)
    show_full_result_count = False


# Personal API tokens: admins see everyone's (never a secret: only the digest is stored, and
# it is not shown either), revoke them, and make one for a person, shown once in a message.
class ApiTokenAddForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=TokenScope.choices, widget=forms.CheckboxSelectMultiple, initial=["read"],
        help_text=" ".join(f"{scope.label}: {words}" for scope, words in SCOPE_HELP.items()))

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scopes", "expires_at"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("user") is not None and not self.errors:
            cleaned["name"] = api_token_check(
                owner=cleaned["user"], name=cleaned.get("name", ""),
                scopes=cleaned.get("scopes", ()), expires_at=cleaned.get("expires_at"))
            # As stored ("read write"), so the model's own checks see what the row will hold.
            cleaned["scopes"] = scopes_normalised(cleaned["scopes"])
        return cleaned


class ApiTokenStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True).filter(
                Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "scopes", "display_prefix", "created_at", "last_used_at",
                    "expires_at", "status"]
    list_filter = [ApiTokenStatusFilter, "scopes"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    actions = ["revoke_selected"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    # The change page shows a token's record; only revoking (the action) changes it.
    shown_fields = ["user", "name", "scopes", "display_prefix", "status", "created_at",
                    "created_by", "expires_at", "last_used_at", "revoked_at"]

    @admin.display(description="Begins with")
    def display_prefix(self, obj):
        return obj.display_prefix

    @admin.display(description="Status")
    def status(self, obj):
        return obj.status()

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return self.shown_fields if obj is not None else ApiTokenAddForm.Meta.fields

    def get_readonly_fields(self, request, obj=None):
        return self.shown_fields if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        token, plain = api_token_create(
            user=request.user, owner=data["user"], name=data["name"], scopes=data["scopes"].split(),
            expires_at=data.get("expires_at"))
        obj.pk, obj.scopes, obj.prefix = token.pk, token.scopes, token.prefix
        self.message_user(
            request,
            f"The token for {token.user.get_username()} is {plain} — copy it now and hand "
            "it over safely: it is shown only this once.",
            messages.WARNING)

    @admin.action(description="Revoke selected API tokens")
    def revoke_selected(self, request, queryset):
        revoked = 0
        for token in queryset:
            try:
                revoked += api_token_revoke(user=request.user, token=token)
            except PermissionDenied as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)
# --- Webhooks -------------------------------------------------------------------------------
# Admins see every subscription; a staff user granted claims.add_webhooksubscription manages
# their own (and sees only their deliveries). Writes go through claims/services/webhooks.py.
# The secret is shown once, as an API token is: on the page that answers adding the
# subscription or rotating its secret, never again (its page shows the last four characters).


def _may_manage_webhooks(request) -> bool:
    return has_permission(request.user, "add_webhooksubscription")


def _own_or_all(request, queryset, owner_field: str):
    if request.user.is_superuser:
        return queryset
    return queryset.filter(**{owner_field: request.user})


class WebhookSubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=SUBSCRIBABLE_EVENTS, widget=forms.CheckboxSelectMultiple,
        help_text="The receiver is sent one signed POST per event.")

    class Meta:
        model = WebhookSubscription
        fields = ("name", "target_url", "events", "active", "owner")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:  # admins only: empty means the admin themself
            self.fields["owner"].required = False
            self.fields["owner"].help_text = "Who is told if it is turned off. Empty: you."

    def clean_target_url(self) -> str:
        try:
            return webhook_target_check(self.cleaned_data["target_url"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["target_url"]) from None


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("at", "duration_ms", "status_code", "succeeded", "error", "response_excerpt")
    readonly_fields = fields  # the admin escapes the receiver's words
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ("name", "owner", "target_url", "event_list", "active",
                    "consecutive_failures", "disabled_at")
    list_filter = ("active",)
    search_fields = ("name", "target_url")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    readonly_fields = ("secret_shown", "consecutive_failures", "disabled_at",
                       "disabled_reason", "created_at", "deliveries_link")
    actions = ["send_test_event", "rotate_secret"]

    def get_queryset(self, request):
        return _own_or_all(request, super().get_queryset(request), "owner")

    def get_fields(self, request, obj=None):
        fields = ["name", "target_url", "events", "active"]
        if request.user.is_superuser:
            fields.append("owner")
        return fields + (list(self.readonly_fields) if obj else [])

    def has_module_permission(self, request):
        return _may_manage_webhooks(request)

    def has_view_permission(self, request, obj=None):
        return _may_manage_webhooks(request)

    def has_add_permission(self, request):
        return _may_manage_webhooks(request)

    def has_change_permission(self, request, obj=None):
        return _may_manage_webhooks(request)

    def has_delete_permission(self, request, obj=None):
        return _may_manage_webhooks(request)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("name", "target_url", "events",
                                                          "active")}
        owner = form.cleaned_data.get("owner") if request.user.is_superuser else None
        if change:
            if owner is not None:
                data["owner"] = owner
            stored = WebhookSubscription.objects.get(pk=obj.pk)
            saved = webhook_subscription_update(user=request.user, subscription=stored, **data)
        else:
            saved = webhook_subscribe(user=request.user, owner=owner, **data)
        obj.pk, obj.secret = saved.pk, saved.secret

    def response_add(self, request, obj, post_url_continue=None):
        return self._secrets_page(request, [obj], "Webhook subscription added")

    def _secrets_page(self, request, subscriptions, title: str):
        """The only page that ever shows these subscriptions' whole secrets. Rendered, not
        redirected: a secret must not travel through a message or the session, and no
        cache keeps the answer."""
        response = TemplateResponse(
            request, "admin/claims/webhooksubscription/secret_once.html",
            {**self.admin_site.each_context(request), "opts": self.model._meta,
             "title": title, "shown": [(s, s.secret) for s in subscriptions]})
        add_never_cache_headers(response)
        return response

    @admin.display(description="Events")
    def event_list(self, obj):
        return ", ".join(obj.events)

    @admin.display(description="Secret")
    def secret_shown(self, obj):
        return format_html(
            "<code>{}</code><p>The whole secret was shown once, when the subscription was "
            "added or its secret last rotated. Lost it? Rotate the secret (an action on the "
            "list) and paste the new one into the receiver.</p>", obj.secret_hint)

    @admin.display(description="Deliveries")
    def deliveries_link(self, obj):
        url = reverse("admin:claims_webhookdelivery_changelist")
        return format_html('<a href="{}?subscription__id__exact={}">See its deliveries</a>',
                           url, obj.pk)

    @admin.action(description="Send a test event")
    def send_test_event(self, request, queryset):
        act_on_each(self, request, queryset, lambda subscription: webhook_send_test(
            user=request.user, subscription=subscription), "test event(s) queued")

    @admin.action(description="Rotate the secret")
    def rotate_secret(self, request, queryset):
        rotated = [webhook_rotate_secret(user=request.user, subscription=subscription)
                   for subscription in queryset]
        return self._secrets_page(request, rotated, "Webhook secrets rotated")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "subscription", "state", "attempts",
                    "next_attempt_at", "delivery_id")
    list_filter = ("state", "event")
    search_fields = ("=delivery_id",)
    list_select_related = ("subscription",)
    fields = ("subscription", "event", "delivery_id", "state", "attempts", "next_attempt_at",
              "delivered_at", "created_at", "body_shown")
    readonly_fields = fields
    inlines = [WebhookAttemptInline]
    actions = ["redeliver"]
    show_full_result_count = False

    def get_queryset(self, request):
        return _own_or_all(request, super().get_queryset(request), "subscription__owner")

    def has_module_permission(self, request):
        return _may_manage_webhooks(request)

    def has_view_permission(self, request, obj=None):
        return _may_manage_webhooks(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a record of what was sent; "Redeliver" sends it again

    @admin.display(description="Body (as sent and signed)")
    def body_shown(self, obj):
        return format_html("<pre>{}</pre>", obj.body)

    @admin.action(description="Redeliver")
    def redeliver(self, request, queryset):
        act_on_each(self, request, queryset.select_related("subscription"),
                    lambda delivery: webhook_redeliver(user=request.user, delivery=delivery),
                    "delivery(ies) queued to be sent again",
                    name=lambda delivery: delivery.delivery_id)
