"""The demo desk: two real articles about NATO and Libya in 2011, their claimants, claims
anchored to their exact words, a few sources, and the demo users. Loading is idempotent.

The article texts are the project's own copies (files beside this module), kept with their
page furniture ("Accessibility links", bullets, a photo caption) as real articles arrive."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from claims.anchoring import anchor_quote
from claims.assist.services import suggestions_refresh
from claims.choices import ClaimantKind, ClaimStatus
from claims.demo.verdicts import load_demo_verdicts
from claims.fetching.extract import text_sha256
from claims.models import Article, Claim, Evidence, Source
from claims.services.articles import article_create
from claims.services.claimants import claimant_find_or_create
from claims.services.claims import claim_log, claim_set_status

HERE = Path(__file__).resolve().parent

DEMO_USERS = [
    # username, password, first name, last name, groups, is_staff, is_superuser
    ("editor", "editor", "Erin", "Editor", ["Editors"], False, False),
    ("reviewer", "reviewer", "Robin", "Reviewer", ["Reviewers"], False, False),
    ("admin", "admin", "Ada", "Admin", ["Editors", "Reviewers"], True, True),
]

# name, kind, role, organisation
CLAIMANTS = {
    "rasmussen": ("Anders Fogh Rasmussen", ClaimantKind.PERSON, "Secretary General", "NATO"),
    "nato_ministers": ("NATO Defence Ministers", ClaimantKind.ORGANISATION, "", "NATO"),
    "voa": ("Voice of America", ClaimantKind.ORGANISATION, "", "Voice of America"),
    "france": ("French government", ClaimantKind.ORGANISATION, "", "Government of France"),
    "medvedev": ("Dmitry Medvedev", ClaimantKind.PERSON, "President", "Russia"),
    "gates": ("Robert Gates", ClaimantKind.PERSON, "former U.S. defense secretary",
              "United States"),
}


@dataclass
class DemoClaim:
    quote: str
    statement: str
    claimant: str
    status: str = ClaimStatus.NEW
    tags: list[str] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)  # (url, stance)


@dataclass
class DemoArticle:
    file: str
    title: str
    outlet: str
    published_on: date
    claims: list[DemoClaim]

    @property
    def body(self) -> str:
        return (HERE / self.file).read_text(encoding="utf-8")


UNSCR_1973 = "https://press.un.org/en/2011/sc10200.doc.htm"
NATO_OUP = "https://www.nato.int/cps/en/natohq/topics_71652.htm"
ICC_WARRANT = "https://www.icc-cpi.int/news/pre-trial-chamber-i-issues-three-warrants-arrest-muammar-gaddafi-saif-al-islam-gaddafi-and-abdualla"

ARTICLES = [
    DemoArticle(
        file="nato_libya_2011-10-06.txt",
        title="Ministers determined to pursue operation in Libya as long as threats persist",
        outlet="NATO",
        published_on=date(2011, 10, 6),
        claims=[
            DemoClaim(
                quote="It is clear that the end is in sight.",
                statement="The end of NATO's Libya operation is in sight",
                claimant="rasmussen",
                status=ClaimStatus.RESEARCHING,
                tags=["libya", "nato", "prediction"],
                sources=[(NATO_OUP, "context")],
            ),
            DemoClaim(
                quote="Qadhafi forces are fighting for a lost cause.",
                statement="Qadhafi's forces are fighting for a lost cause",
                claimant="rasmussen",
                tags=["libya", "prediction"],
            ),
            DemoClaim(
                quote="The threat to civilians is fading away",
                statement="The threat to civilians in Libya is fading away",
                claimant="rasmussen",
                status=ClaimStatus.RESEARCHING,
                tags=["libya", "civilians"],
                sources=[(UNSCR_1973, "context")],
            ),
            DemoClaim(
                quote="The recent positive developments in Libya are irreversible",
                statement="Recent positive developments in Libya are irreversible",
                claimant="rasmussen",
                tags=["libya", "prediction"],
            ),
        ],
    ),
    DemoArticle(
        file="voa_nato_rebels_2011-07.txt",
        title="NATO Officials to Meet With Libyan Rebels",
        outlet="Voice of America",
        # The text dates the photo 6 July and the meeting "next week" on 13 July.
        published_on=date(2011, 7, 8),
        claims=[
            DemoClaim(
                quote=("Twelve of NATO's 28 members officially recognize the Libyan "
                       "opposition group"),
                statement="Twelve of NATO's 28 members recognize the Libyan NTC",
                claimant="voa",
                status=ClaimStatus.RESEARCHING,
                tags=["libya", "nato", "figures"],
                sources=[(NATO_OUP, "context")],
            ),
            DemoClaim(
                quote="For Gadhafi, it is game over.",
                statement="For Gadhafi, it is game over",
                claimant="rasmussen",
                tags=["libya", "prediction"],
                sources=[(NATO_OUP, "supports")],
            ),
            DemoClaim(
                quote="it had stopped doing so, because the rebels no longer needed the help",
                statement="France stopped arming Libyan rebels because they no longer needed help",
                claimant="france",
                tags=["libya", "arms"],
            ),
            DemoClaim(
                quote="His ministers and generals are deserting",
                statement="Gadhafi's ministers and generals are deserting him",
                claimant="rasmussen",
                tags=["libya"],
                sources=[(ICC_WARRANT, "context")],
            ),
        ],
    ),
]


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, created: bool) -> None:
        self.created[kind] = self.created.get(kind, 0) + int(created)

    def __str__(self) -> str:
        made = ", ".join(f"{n} {k}" for k, n in self.created.items() if n)
        return f"Demo desk loaded ({made or 'nothing new: already loaded'})."


def ensure_demo_users(report: LoadReport) -> dict[str, object]:
    User = get_user_model()
    users = {}
    for username, password, first, last, groups, is_staff, is_superuser in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": is_staff,
                      "is_superuser": is_superuser, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(*Group.objects.filter(name__in=groups))
        report.add("users", created)
        users[username] = user
    return users


@transaction.atomic
def load_demo() -> LoadReport:
    report = LoadReport()
    users = ensure_demo_users(report)
    editor = users["editor"]
    claimants = {}
    for key, (name, kind, role, organisation) in CLAIMANTS.items():
        claimants[key], created = claimant_find_or_create(
            name=name, kind=kind, role=role, organisation=organisation
        )
        report.add("claimants", created)

    for demo in ARTICLES:
        body = demo.body
        article = Article.objects.filter(body_sha256=text_sha256(body)).first()
        if article is None:
            article = article_create(
                title=demo.title, body=body, outlet=demo.outlet,
                published_on=demo.published_on, user=editor,
            )
            report.add("articles", True)
        for item in demo.claims:
            anchor = anchor_quote(body, item.quote)
            claim = Claim.objects.filter(
                article=article, anchor_start=anchor.start, anchor_end=anchor.end
            ).first()
            if claim is None:
                claim = claim_log(
                    article=article, quote=item.quote, start=anchor.start, end=anchor.end,
                    statement=item.statement, claimant=claimants[item.claimant],
                    user=editor, tags=item.tags, assignee=editor,
                )
                if item.status != claim.status:
                    claim_set_status(claim=claim, status=item.status, user=editor)
                report.add("claims", True)
            for url, stance in item.sources:
                source, created = Source.objects.get_or_create(
                    normalized_url=url,
                    defaults={"url": url, "domain": url.split("/")[2].removeprefix("www."),
                              "created_by": editor},
                )
                report.add("sources", created)
                _, created = Evidence.objects.get_or_create(
                    claim=claim, source=source,
                    defaults={"stance": stance, "created_by": editor},
                )
                report.add("evidence notes", created)
        # Check-worthy sentences now, so the demo shows them even before a worker runs.
        suggestions_refresh(article=article)
    # Verdicts in every state, published fact-checks with captured sources, a correction.
    load_demo_verdicts(users=users, report=report)
    return report
