"""What the API accepts and answers, declared once as pydantic models.

Request bodies and query arguments are validated against these models before any service
runs (`core.route`); the same models, as JSON Schema, are the components of the OpenAPI
document, and in tests every response is checked against its declared model
(`conformance.py`). Vocabulary (visibilities, outcomes, organisation types…) comes from the
domains, so a new value there is a new value here.

- Inputs are strict: a number is never a string, `null` is never "absent", `true` is no
  number, unknown fields are refused, whole numbers stay within 64 bits, every string and
  list has a maximum length, and text never holds NUL or unpaired surrogates (which no
  database stores).
- Query arguments arrive as text: whole numbers are decimal digits only; unknown arguments
  (`lang`, cache busters) are ignored.
- Outputs forbid undeclared fields, so a field added to a response without its schema fails
  the tests.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, create_model
from pydantic.json_schema import GenerateJsonSchema, models_json_schema
from pydantic_core import PydanticCustomError

from ..clauses import services as clause_limits
from ..clauses.models import (
    PURCHASE_KINDS,
    SET_VISIBILITIES,
    SUGGESTION_KINDS,
    SUGGESTION_STATES,
)
from ..clauses.models import ROLES as CLAUSE_ROLES
from ..clauses.models import STATUSES as CLAUSE_SET_STATUSES
from ..dbtypes import MAX_INT
from ..directory.models import NETWORK_ROLES, PROVINCES
from ..directory.models import SIZE_CLASS_SLUGS as DIRECTORY_SIZE_CLASSES
from ..laws.models import MILESTONE_KINDS, OBLIGATION_ROLES, ORGANISATION_TYPES, STAGES
from ..pagination import MAX_PAGE, MAX_PER_PAGE
from ..practices.models import FAILURE_CAUSES, OUTCOMES, PRACTICE_VISIBILITIES, SECTIONS, SIZE_CLASSES
from ..practices.services import MAX_CO_AUTHORS, REQUIRED_SECTIONS, SECTION_MAX
from ..practices.services import TITLE_MAX as PRACTICE_TITLE_MAX
from ..practices.services import TITLE_MIN as PRACTICE_TITLE_MIN
from ..questions.models import ANSWER_MAX, BODY_MAX, QUESTION_VISIBILITIES, TITLE_MAX, TITLE_MIN
from ..questions.services import SORTS as QUESTION_SORTS

# --- building blocks ------------------------------------------------------------------------


def _one_of(values) -> Any:
    """A Literal of the domain's values (a tuple, or a dict's keys)."""
    return Literal[tuple(values)]  # type: ignore[valid-type]


def _storable(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("text_characters", "NUL is not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("text_characters", "unpaired surrogate") from None
    return value


def Text(max_length: int, min_length: int = 0, **kwargs) -> Any:  # noqa: N802 — a type
    """A string within bounds that every database can store."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length, **kwargs),
                     AfterValidator(_storable)]


SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Slug = Annotated[str, Field(min_length=1, max_length=120, pattern=SLUG_PATTERN)]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]
TAGS_MAX = 30  # themes + laws + obligations together (content.resolve_tags)

OrgType = _one_of(ORGANISATION_TYPES)
QuestionVisibility = _one_of(QUESTION_VISIBILITIES)
PracticeVisibility = _one_of(PRACTICE_VISIBILITIES)
Outcome = _one_of(OUTCOMES)
FailureCause = _one_of(FAILURE_CAUSES)
SizeClass = _one_of(key for key, _low, _high in SIZE_CLASSES)
Province = _one_of(PROVINCES)
NetworkRole = _one_of(NETWORK_ROLES)


def _query_int(value):
    """Decimal digits to a number; anything else stays text and is refused as no number."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,20}", value):
        return int(value)
    return value


def QueryInt(minimum: int = 0, maximum: int = MAX_INT) -> Any:  # noqa: N802 — a type
    return Annotated[int, Field(strict=True, ge=minimum, le=maximum), BeforeValidator(_query_int)]


def _query_bool(value):
    """`true`/`1` and `false`/`0` as a boolean; anything else stays text and is refused."""
    if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
        return value.lower() in ("true", "1")
    return value


QueryBool = Annotated[bool, Field(strict=True), BeforeValidator(_query_bool)]
DirectorySizeClass = _one_of(DIRECTORY_SIZE_CLASSES)


class Input(BaseModel):
    """A JSON request body: strict types, no unknown fields."""

    model_config = ConfigDict(strict=True, extra="forbid")


class Query(BaseModel):
    """Query arguments: text in, unknown arguments ignored (e.g. `lang`)."""

    model_config = ConfigDict(strict=True, extra="ignore")


class Output(BaseModel):
    """A response body: only for the schema (views build plain dicts); no undeclared fields."""

    model_config = ConfigDict(extra="forbid")


# --- errors ---------------------------------------------------------------------------------

class ErrorDetail(Output):
    status: int
    code: str
    message: str
    fields: dict[str, str] | None = Field(default=None, description="Field name to the reason, "
                                          "in the reader's language (`?lang=en` for English).")


class Error(Output):
    error: ErrorDetail


# --- query arguments ------------------------------------------------------------------------

class PageQuery(Query):
    page: QueryInt(1, MAX_PAGE) = 1
    per_page: QueryInt(1, MAX_PER_PAGE) = 20


FilterText = Text(80)


class QuestionQuery(PageQuery):
    theme: Slug | None = None
    law: Slug | None = None
    obligation: QueryInt(1) | None = None
    type: OrgType | None = Field(default=None, description="Organisation type of the asker")
    sort: _one_of(QUESTION_SORTS) = QUESTION_SORTS[0]


class PracticeQuery(PageQuery):
    outcome: Outcome | None = None
    theme: Slug | None = None
    law: Slug | None = None
    obligation: QueryInt(1) | None = None
    type: OrgType | None = Field(default=None, description="Organisation type of the writer")
    size: SizeClass | None = Field(default=None, description="Municipal size class")
    sort: Literal["nieuw", "nuttig"] = "nieuw"


class OrganisationQuery(PageQuery):
    type: OrgType | None = None
    province: Province | None = None
    min_inhabitants: QueryInt(0) | None = None
    max_inhabitants: QueryInt(0) | None = None
    theme: Slug | None = None
    size_class: DirectorySizeClass | None = Field(default=None, description="By inhabitants")
    law: Slug | None = None
    obligation: QueryInt(1) | None = None
    frontrunner: QueryBool | None = Field(default=None, description="Only organisations with "
                                          "a frontrunner topic (on the theme, law or "
                                          "obligation when one is given)")
    open_to_collaboration: QueryBool | None = Field(default=None, description="Only those "
                                                    "with such a topic open to collaboration")
    q: Text(200) | None = Field(default=None, description="Part of the name")


class PeerQuery(Query):
    theme: Slug | None = None
    law: Slug | None = None
    obligation: QueryInt(1) | None = None
    limit: QueryInt(1, 50) = 10


class NetworkQuery(PageQuery):
    theme: Slug | None = Field(default=None, description="Networks on this theme")
    role: NetworkRole | None = Field(default=None, description="Networks for this role")


ObligationRole = _one_of(OBLIGATION_ROLES)
Stage = _one_of(STAGES)
MilestoneKind = _one_of(MILESTONE_KINDS)
PIPELINE = "pipeline"  # a stage filter: proposals and acts under negotiation


class LawQuery(PageQuery):
    theme: Slug | None = Field(default=None, description="Laws on this theme")
    applies_to: OrgType | None = Field(default=None, description="Laws with an obligation for "
                                       "this organisation type")
    stage: _one_of((*STAGES, PIPELINE)) | None = Field(
        default=None, description="Laws at this stage; `pipeline`: proposals and acts under "
                                  "negotiation (not adopted yet)")
    role: ObligationRole | None = Field(
        default=None, description="Laws with an obligation of this role (with `applies_to`: "
                                  "one obligation of this role for that organisation type)")


class ObligationQuery(PageQuery):
    law: Slug | None = Field(default=None, description="Obligations of this law (slug)")
    role: ObligationRole | None = Field(
        default=None, description="What it asks of a government: `direct` obligation, "
                                  "`procurement` requirement (when buying), `customer_right`, "
                                  "or `context` (a duty of the member state or a supplier)")
    applies_to: OrgType | None = Field(default=None, description="Obligations for this "
                                       "organisation type")
    theme: Slug | None = Field(default=None, description="Obligations of laws on this theme")


class SearchQuery(PageQuery):
    q: Text(500) = ""
    type: FilterText | None = None
    theme: FilterText | None = None
    law: FilterText | None = None
    org_type: FilterText | None = None
    outcome: FilterText | None = None
    sort: Literal["relevance", "date"] = "relevance"


# --- request bodies -------------------------------------------------------------------------

Tags = Annotated[list[Slug], Field(max_length=TAGS_MAX)]
Ids = Annotated[list[Id], Field(max_length=TAGS_MAX)]


class QuestionPatch(Input):
    title: Text(TITLE_MAX, TITLE_MIN) = None
    body: Text(BODY_MAX, 1, description="Markdown") = None
    visibility: QuestionVisibility = None
    themes: Tags = None
    laws: Tags = None
    obligations: Ids = None


class QuestionInput(QuestionPatch):
    title: Text(TITLE_MAX, TITLE_MIN)
    body: Text(BODY_MAX, 1, description="Markdown")
    visibility: QuestionVisibility = "public"


class AnswerInput(Input):
    body: Text(ANSWER_MAX, 1, description="Markdown")
    laws: Tags = None


_SECTION = Text(SECTION_MAX, description="Markdown")
_REQUIRED_SECTION = Text(SECTION_MAX, 1, description="Markdown")


class PracticePatch(Input):
    title: Text(PRACTICE_TITLE_MAX, PRACTICE_TITLE_MIN) = None
    summary: _SECTION = None
    context: _SECTION = None
    goal: _SECTION = None
    approach: _SECTION = None
    result: _SECTION = None
    what_went_wrong: _SECTION = None
    lessons: _SECTION = None
    recommendations: _SECTION = None
    outcome: Outcome = None
    failure_causes: Annotated[list[FailureCause], Field(max_length=len(FAILURE_CAUSES))] = None
    period: Text(100) = None
    effort: Text(200) = None
    visibility: PracticeVisibility = None
    anonymous: bool = None
    themes: Tags = None
    laws: Tags = None
    obligations: Ids = None
    co_authors: Annotated[list[Text(254, 3)], Field(max_length=MAX_CO_AUTHORS,
                                                    description="E-mail addresses to invite")] = None


assert set(SECTIONS) <= set(PracticePatch.model_fields), "a practice section without a schema"


class PracticeInput(PracticePatch):
    title: Text(PRACTICE_TITLE_MAX, PRACTICE_TITLE_MIN)
    summary: _REQUIRED_SECTION
    approach: _REQUIRED_SECTION
    lessons: _REQUIRED_SECTION
    outcome: Outcome
    visibility: PracticeVisibility = "public"
    anonymous: bool = False


assert {n for n, f in PracticeInput.model_fields.items() if f.is_required()} >= set(REQUIRED_SECTIONS)


class MeUpdate(Input):
    name: Text(120, 1) = None
    job_title: Text(120) = None
    expertise: Tags = None


# --- responses ------------------------------------------------------------------------------

class OrgRef(Output):
    slug: str
    name: str
    type: OrgType


class PersonRef(Output):
    name: str


class Organisation(Output):
    id: int
    slug: str
    name: str
    type: OrgType
    province: str | None
    inhabitants: int | None
    area_km2: float | None
    website: str
    size_class: DirectorySizeClass | None
    url: str
    created_at: datetime
    updated_at: datetime


class NetworkLink(Output):
    slug: str
    name: str
    url: str


class FrontrunnerTopic(Output):
    id: int
    theme: str | None = Field(description="Theme slug, when the topic is a theme")
    law: str | None = Field(description="Law slug, when the topic is a law")
    obligation: int | None = Field(description="Obligation id, when the topic is an obligation")
    summary: str
    open_to_collaboration: bool
    url: str


class OrganisationDetail(Organisation):
    networks: list[NetworkLink]
    frontrunner_topics: list[FrontrunnerTopic]


class Peer(Output):
    organisation: Organisation
    reasons: list[str] = Field(description="Why it is alike, in the reader's language")
    frontrunner_topics: list[FrontrunnerTopic] = Field(
        description="Its frontrunner topics on the theme, law or obligation asked about "
                    "(all of them when none is asked about)")


class PeerList(Output):
    items: list[Peer]


class Network(Output):
    id: int
    url: str
    slug: str
    name: str
    description: str
    themes: list[str] = Field(description="Theme slugs")
    target_roles: list[str] = Field(description="Role codes: " + ", ".join(NETWORK_ROLES))
    who_may_join: str
    how_to_join: str
    organiser: str
    meeting_rhythm: str
    website: str
    member_count: Count
    created_at: datetime
    updated_at: datetime


class NetworkMember(Output):
    slug: str
    name: str
    url: str


class NetworkDetail(Network):
    members: list[NetworkMember] = Field(description="Member organisations by name")


class Obligation(Output):
    id: int
    key: str = Field(description="Stable key, part of the obligation's page address")
    law: str = Field(description="Slug of its law")
    article: str
    title: str
    title_en: str
    description: str
    description_en: str
    role: ObligationRole = Field(description="What it asks of a government: `direct` "
                                 "obligation, `procurement` requirement (when buying), "
                                 "`customer_right`, or `context` (a duty of the member state "
                                 "or a supplier)")
    addressee: str = Field(description="Whom the provision addresses, in English")
    applies_to: list[OrgType]
    applies_from: date | None = Field(description="For a Dutch government; for a directive "
                                      "the Dutch act's date. None when the start is a condition")
    applies_condition: str = Field(description="A start or scope that depends on an event "
                                   "(Dutch), instead of a date")
    responsible_roles: list[str]
    sources: list[str]
    checked_on: date | None = Field(description="When the facts were last checked")
    version: int = Field(description="The current revision")
    url: str
    created_at: datetime
    updated_at: datetime


class Milestone(Output):
    kind: MilestoneKind
    date: date
    label: str
    label_en: str


class InputMoment(Output):
    id: int
    title: str
    title_en: str
    opens: date
    closes: date | None
    where: str = Field(description="Where to give input (a web address)")
    is_open: bool = Field(description="Input possible today")


class Law(Output):
    id: int
    slug: str
    short_name: str
    short_name_en: str
    aliases: list[str]
    full_title: str
    celex: str
    instrument: str
    stage: Stage
    stage_note: str = Field(description="Status line where something is unsettled (Dutch)")
    in_pipeline: bool = Field(description="A proposal or under negotiation: not adopted yet")
    summary: str
    summary_en: str
    dutch_implementation: str
    dutch_implementation_en: str
    themes: list[str]
    amends: list[str] = Field(description="Slugs of the laws it amends (or would amend)")
    repeals: list[str] = Field(description="Slugs of the laws it repeals (or would repeal)")
    related: list[str] = Field(description="Slugs of related laws")
    sources: list[str]
    checked_on: date | None = Field(description="When the facts were last checked")
    milestones: list[Milestone]
    input_moments: list[InputMoment]
    obligations: list[Obligation]
    version: int = Field(description="The current revision")
    changed_at: datetime | None = Field(description="When its stage, a date or an input moment "
                                        "last changed: content citing it before may be "
                                        "outdated")
    url: str
    created_at: datetime
    updated_at: datetime


class Me(Output):
    id: int
    name: str
    organisation: str
    job_title: str
    expertise: list[str]
    role: str
    url: str


class Answer(Output):
    id: int
    question_id: int
    body: str
    author: PersonRef
    organisation: OrgRef
    score: int
    accepted: bool
    url: str
    created_at: datetime
    updated_at: datetime


class Question(Output):
    id: int
    title: str
    body: str
    visibility: QuestionVisibility
    themes: list[str]
    laws: list[str]
    obligations: list[int]
    author: PersonRef
    organisation: OrgRef
    answer_count: int
    accepted_answer_id: int | None
    score: int
    closed: bool
    version: int = Field(description="The current revision; send it back in `If-Match` to edit")
    url: str
    created_at: datetime
    updated_at: datetime


class QuestionWithAnswers(Question):
    answers: list[Answer]


class PracticeOrganisation(Output):
    """Named for readers who may see the writer; else only the type and size class."""

    slug: str | None = None
    name: str = Field(description="For anonymous write-ups e.g. 'een waterschap'")
    type: OrgType


class Attachment(Output):
    id: int
    name: str
    type: str
    size: int
    url: str


class FollowUp(Output):
    date: datetime
    body: str


class Practice(Output):
    id: int
    title: str
    summary: str
    context: str
    goal: str
    approach: str
    result: str
    what_went_wrong: str
    lessons: str
    recommendations: str
    outcome: Outcome
    failure_causes: list[FailureCause]
    period: str
    effort: str
    visibility: PracticeVisibility
    anonymous: bool
    themes: list[str]
    laws: list[str]
    obligations: list[int]
    organisation: PracticeOrganisation
    author: PersonRef | None
    useful: int
    experienced: int
    attachments: list[Attachment]
    followups: list[FollowUp]
    version: int = Field(description="The current revision; send it back in `If-Match` to edit")
    url: str
    created_at: datetime
    updated_at: datetime


class SearchHit(Output):
    type: str
    id: int
    title: str
    url: str
    snippet: str = Field(description="HTML: escaped text, matches in <mark>")
    organisation: str | None
    date: datetime | None


class FacetValue(Output):
    value: str
    count: int


class Notice(Output):
    code: str = Field(description="What a bound cut from the query, e.g. `too_broad`")
    message: str


class SearchResults(Output):
    items: list[SearchHit]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[FacetValue]]
    suggestion: str | None
    notices: list[Notice]


def page_of(model: type[Output]) -> type[Output]:
    """`{"items": [...], "total", "page", "per_page"}` of `model`."""
    return create_model(f"{model.__name__}Page", __base__=Output, items=(list[model], ...),
                        total=(int, ...), page=(int, ...), per_page=(int, ...))


# --- clause sets ----------------------------------------------------------------------------

ClauseSetVisibility = _one_of(SET_VISIBILITIES)
ClauseSetStatus = _one_of(CLAUSE_SET_STATUSES)
PurchaseKind = _one_of(PURCHASE_KINDS)
ClauseRole = _one_of(CLAUSE_ROLES)
SuggestionKind = _one_of(SUGGESTION_KINDS)
SuggestionStatus = _one_of(SUGGESTION_STATES)
_HEADING = Text(clause_limits.HEADING_MAX, 1)
_CLAUSE_TEXT = Text(clause_limits.TEXT_MAX, 1, description="Markdown")
_EXPLANATION = Text(clause_limits.EXPLANATION_MAX, description="Markdown: guidance for buyers")
_SOURCE = Text(clause_limits.SOURCE_MAX, description="A model the clause draws on, e.g. "
               "'GIBIT art. 12' (a reference, not its text)")


class ClauseSetQuery(PageQuery):
    status: ClauseSetStatus | None = None
    purchase_kind: PurchaseKind | None = None
    law: Slug | None = Field(default=None, description="Sets with a clause implementing an "
                             "obligation of this law")
    obligation: QueryInt(1) | None = Field(default=None, description="Sets with a clause "
                                           "implementing this obligation")


class ClauseDiffQuery(Query):
    from_version: QueryInt(1) | None = Field(default=None, alias="from", description="Default: "
                                             "the version before `to`")
    to: QueryInt(1) | None = Field(default=None, description="Default: the current version")


class ClauseSetInput(Input):
    title: Text(clause_limits.TITLE_MAX, 5)
    purpose: Text(clause_limits.PURPOSE_MAX, description="Markdown") = None
    visibility: ClauseSetVisibility = "members"
    purchase_kind: PurchaseKind = "other"


class ClauseInput(Input):
    heading: _HEADING
    text: _CLAUSE_TEXT
    explanation: _EXPLANATION = None
    source_reference: _SOURCE = None
    obligations: Ids = Field(default=None, description="Ids of the obligations the clause "
                             "implements")


class ClauseUpdate(ClauseInput):
    """The clause's new text; `explanation`, `source_reference` and `obligations` keep their
    value when left out."""


class SuggestionInput(Input):
    kind: SuggestionKind = Field(default="change", description="`change` this clause, propose "
                                 "a `new` clause for its set, or `delete` this clause")
    heading: Text(clause_limits.HEADING_MAX) = None
    text: Text(clause_limits.TEXT_MAX, description="Markdown") = None
    explanation: _EXPLANATION = None
    rationale: Text(clause_limits.RATIONALE_MAX, 5)


class ClauseSetParticipantOut(Output):
    slug: str
    name: str
    role: ClauseRole


class Clause(Output):
    id: int
    set_id: int
    number: int
    heading: str
    text: str = Field(description="Markdown")
    explanation: str = Field(description="Markdown")
    source_reference: str
    obligations: list[int]
    version: int = Field(description="The current version; send it back in `If-Match` to edit")
    url: str
    created_at: datetime
    updated_at: datetime


class ClauseRelease(Output):
    id: int
    label: str
    notes: str
    created_at: datetime
    adopted_by: list[str] = Field(description="Slugs of the organisations that use it")


class ClauseSet(Output):
    id: int
    title: str
    purpose: str
    purchase_kind: PurchaseKind
    visibility: ClauseSetVisibility
    status: ClauseSetStatus
    consultation_until: date | None
    lead_organisation: OrgRef
    version: int
    url: str
    created_at: datetime
    updated_at: datetime


class ClauseSetDetail(ClauseSet):
    participants: list[ClauseSetParticipantOut] = Field(description="Besides the lead "
                                                         "organisation, always an editor")
    clauses: list[Clause]
    releases: list[ClauseRelease] = Field(description="Newest first")


class ClauseVersion(Output):
    number: int
    heading: str
    text: str
    explanation: str
    source_reference: str
    obligations: list[str] = Field(description="As cited in that version, e.g. 'AI-verordening "
                                   "art. 26'")
    author: PersonRef | None
    created_at: datetime


class ClauseVersions(Output):
    clause_id: int
    items: list[ClauseVersion] = Field(description="Oldest first; the versions you may read")


class ClauseDiffField(Output):
    field: str
    html: str = Field(description="Escaped text with <ins>/<del> around changed words")
    changed: bool


class ClauseDiff(Output):
    clause_id: int
    from_version: int
    to_version: int
    fields: list[ClauseDiffField]


class Suggestion(Output):
    id: int
    set_id: int
    clause_id: int | None
    kind: SuggestionKind
    base_version: int | None = Field(description="The clause version it was written on")
    heading: str
    text: str
    explanation: str
    rationale: str
    status: SuggestionStatus
    author: PersonRef
    url: str
    created_at: datetime


# --- JSON Schema for the OpenAPI document ---------------------------------------------------

REF_TEMPLATE = "#/components/schemas/{model}"


class _Schema(GenerateJsonSchema):
    """Property titles repeat the field names; leave them out of the document."""

    def field_title_should_be_set(self, schema) -> bool:
        return False


def ref(model: type[BaseModel]) -> dict:
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}


def components(inputs: list[type[BaseModel]], outputs: list[type[BaseModel]]) -> dict:
    """The `components/schemas` of the document: every model and the models they use."""
    pairs = [(m, "validation") for m in inputs] + [(m, "serialization") for m in outputs]
    _, top = models_json_schema(pairs, ref_template=REF_TEMPLATE, schema_generator=_Schema)
    schemas = top.get("$defs", {})
    for schema in schemas.values():
        for prop in schema.get("properties", {}).values():
            if "default" in prop and prop["default"] is None:
                del prop["default"]  # "may be left out", not "null is a value"
    return schemas


def query_parameters(model: type[Query]) -> list[dict]:
    """OpenAPI `in: query` parameters of a query model."""
    schema = model.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=_Schema)
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        # `X | None = None` means "may be left out"; a query argument is never null.
        options = [o for o in prop.pop("anyOf", []) if o.get("type") != "null"]
        if len(options) == 1:
            prop.update(options[0])
        elif options:
            prop["anyOf"] = options
        if prop.get("default", 0) is None:
            del prop["default"]
        param = {"name": name, "in": "query", "required": name in schema.get("required", []),
                 "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params
