"""JSON schemas of API items, shared by the OpenAPI document and the tests."""

from __future__ import annotations


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def page_of(name: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": ref(name)},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
        },
    }


PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                   "maximum": 100}},
]

ORG_TYPES = ["gemeente", "provincie", "waterschap", "koepel", "rijk", "kennisinstelling", "overig"]
_nullable_str = {"type": "string", "nullable": True}
_date = {"type": "string", "format": "date"}
_datetime = {"type": "string", "format": "date-time"}

_SECTIONS = ("summary", "context", "goal", "approach", "result", "what_went_wrong", "lessons",
             "recommendations")
_PRACTICE_INPUT = {
    "title": {"type": "string", "minLength": 10, "maxLength": 200},
    **{name: {"type": "string", "maxLength": 20000} for name in _SECTIONS},
    "outcome": {"type": "string", "enum": ["success", "mixed", "failure"]},
    "failure_causes": {"type": "array", "items": {"type": "string"}},
    "period": {"type": "string", "maxLength": 100},
    "effort": {"type": "string", "maxLength": 200},
    "visibility": {"type": "string", "enum": ["public", "members", "organisation"]},
    "anonymous": {"type": "boolean"},
    "themes": {"type": "array", "items": {"type": "string"}},
    "laws": {"type": "array", "items": {"type": "string"}},
    "obligations": {"type": "array", "items": {"type": "integer"}},
    "co_authors": {"type": "array", "items": {"type": "string", "format": "email"}},
}

_QUESTION_INPUT = {
    "title": {"type": "string", "minLength": 10, "maxLength": 200},
    "body": {"type": "string", "minLength": 1, "maxLength": 20000},
    "visibility": {"type": "string", "enum": ["public", "members"]},
    "themes": {"type": "array", "items": {"type": "string"}},
    "laws": {"type": "array", "items": {"type": "string"}},
    "obligations": {"type": "array", "items": {"type": "integer"}},
}

COMPONENTS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }},
    },
    "Organisation": {
        "type": "object",
        "required": ["id", "slug", "name", "type", "url", "created_at", "updated_at"],
        "properties": {
            "id": {"type": "integer"},
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "type": {"type": "string", "enum": ORG_TYPES},
            "province": _nullable_str,
            "inhabitants": {"type": "integer", "nullable": True},
            "area_km2": {"type": "number", "nullable": True},
            "website": {"type": "string"},
            "networks": {"type": "array", "items": {"type": "string"}},
            "url": {"type": "string"},
            "created_at": _datetime,
            "updated_at": _datetime,
        },
    },
    "Peer": {
        "type": "object",
        "required": ["organisation", "score", "reasons"],
        "properties": {
            "organisation": ref("Organisation"),
            "score": {"type": "number"},
            "reasons": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Network": {
        "type": "object",
        "required": ["id", "slug", "name", "description", "themes", "url"],
        "properties": {
            "id": {"type": "integer"},
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "themes": {"type": "array", "items": {"type": "string"}},
            "target_roles": {"type": "array", "items": {"type": "string"}},
            "how_to_join": {"type": "string"},
            "website": {"type": "string"},
            "members": {"type": "array", "items": {"type": "string"}},
            "url": {"type": "string"},
            "created_at": _datetime,
            "updated_at": _datetime,
        },
    },
    "Obligation": {
        "type": "object",
        "required": ["id", "article", "title", "applies_to"],
        "properties": {
            "id": {"type": "integer"},
            "key": {"type": "string"},
            "article": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "applies_to": {"type": "array", "items": {"type": "string", "enum": ORG_TYPES}},
            "applies_from": {**_date, "nullable": True},
            "responsible_roles": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Law": {
        "type": "object",
        "required": ["id", "slug", "short_name", "aliases", "celex", "stage", "milestones",
                     "input_moments", "obligations", "url"],
        "properties": {
            "id": {"type": "integer"},
            "slug": {"type": "string"},
            "short_name": {"type": "string"},
            "short_name_en": {"type": "string"},
            "aliases": {"type": "array", "items": {"type": "string"}},
            "full_title": {"type": "string"},
            "celex": {"type": "string"},
            "instrument": {"type": "string"},
            "stage": {"type": "string"},
            "themes": {"type": "array", "items": {"type": "string"}},
            "milestones": {"type": "array", "items": {
                "type": "object", "required": ["kind", "date"],
                "properties": {"kind": {"type": "string"}, "date": _date,
                               "label": {"type": "string"}}}},
            "input_moments": {"type": "array", "items": {
                "type": "object", "required": ["opens", "closes", "where"],
                "properties": {"title": {"type": "string"}, "opens": _date,
                               "closes": {**_date, "nullable": True}, "where": {"type": "string"}}}},
            "obligations": {"type": "array", "items": ref("Obligation")},
            "url": {"type": "string"},
            "created_at": _datetime,
            "updated_at": _datetime,
        },
    },
    "Me": {
        "type": "object",
        "required": ["id", "name", "organisation", "role"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "organisation": {"type": "string"},
            "job_title": {"type": "string"},
            "expertise": {"type": "array", "items": {"type": "string"}},
            "role": {"type": "string"},
            "url": {"type": "string"},
        },
    },
    "OrgRef": {
        "type": "object",
        "properties": {"slug": {"type": "string"}, "name": {"type": "string"},
                       "type": {"type": "string", "enum": ORG_TYPES}},
    },
    "Question": {
        "type": "object",
        "required": ["id", "title", "body", "visibility", "url", "created_at", "updated_at"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "body": {"type": "string"},
            "visibility": {"type": "string", "enum": ["public", "members"]},
            "themes": {"type": "array", "items": {"type": "string"}},
            "laws": {"type": "array", "items": {"type": "string"}},
            "obligations": {"type": "array", "items": {"type": "integer"}},
            "author": {"type": "object", "properties": {"name": {"type": "string"}}},
            "organisation": ref("OrgRef"),
            "answer_count": {"type": "integer"},
            "accepted_answer_id": {"type": "integer", "nullable": True},
            "score": {"type": "integer"},
            "closed": {"type": "boolean"},
            "url": {"type": "string"},
            "created_at": _datetime,
            "updated_at": _datetime,
        },
    },
    "QuestionWithAnswers": {
        "allOf": [ref("Question"), {"type": "object", "properties": {
            "answers": {"type": "array", "items": ref("Answer")}}}],
    },
    "Answer": {
        "type": "object",
        "required": ["id", "question_id", "body", "url", "created_at", "updated_at"],
        "properties": {
            "id": {"type": "integer"},
            "question_id": {"type": "integer"},
            "body": {"type": "string"},
            "author": {"type": "object", "properties": {"name": {"type": "string"}}},
            "organisation": ref("OrgRef"),
            "score": {"type": "integer"},
            "accepted": {"type": "boolean"},
            "url": {"type": "string"},
            "created_at": _datetime,
            "updated_at": _datetime,
        },
    },
    "QuestionInput": {
        "type": "object",
        "required": ["title", "body"],
        "additionalProperties": False,
        "properties": _QUESTION_INPUT,
    },
    "QuestionPatch": {
        "type": "object",
        "additionalProperties": False,
        "properties": _QUESTION_INPUT,
    },
    "AnswerInput": {
        "type": "object",
        "required": ["body"],
        "additionalProperties": False,
        "properties": {
            "body": {"type": "string", "minLength": 1, "maxLength": 20000},
            "laws": {"type": "array", "items": {"type": "string"}},
        },
    },
    "SearchResults": {
        "type": "object",
        "required": ["items", "total", "page", "per_page", "facets"],
        "properties": {
            "items": {"type": "array", "items": {
                "type": "object", "required": ["type", "id", "title", "url", "snippet"],
                "properties": {
                    "type": {"type": "string"}, "id": {"type": "integer"},
                    "title": {"type": "string"}, "url": {"type": "string"},
                    "snippet": {"type": "string", "description": "HTML: escaped text, matches in <mark>"},
                    "organisation": {"type": "string", "nullable": True},
                    "date": {**_datetime, "nullable": True},
                }}},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "facets": {"type": "object", "additionalProperties": {"type": "array", "items": {
                "type": "object", "properties": {"value": {"type": "string"},
                                                 "count": {"type": "integer"}}}}},
            "suggestion": {"type": "string", "nullable": True},
        },
    },
    "Practice": {
        "type": "object",
        "required": ["id", "title", "outcome", "visibility", "anonymous", "organisation", "url",
                     "created_at", "updated_at"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            **{name: {"type": "string"} for name in _SECTIONS},
            "outcome": {"type": "string", "enum": ["success", "mixed", "failure"]},
            "failure_causes": {"type": "array", "items": {"type": "string"}},
            "period": {"type": "string"},
            "effort": {"type": "string"},
            "visibility": {"type": "string", "enum": ["public", "members", "organisation"]},
            "anonymous": {"type": "boolean"},
            "themes": {"type": "array", "items": {"type": "string"}},
            "laws": {"type": "array", "items": {"type": "string"}},
            "obligations": {"type": "array", "items": {"type": "integer"}},
            "organisation": {"type": "object", "description": "For anonymous write-ups only the "
                             "type and size class, e.g. 'een waterschap'"},
            "author": {"type": "object", "nullable": True},
            "useful": {"type": "integer"},
            "experienced": {"type": "integer"},
            "attachments": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}, "type": {"type": "string"},
                "size": {"type": "integer"}, "url": {"type": "string"}}}},
            "followups": {"type": "array", "items": {"type": "object"}},
            "url": {"type": "string"},
            "created_at": _datetime,
            "updated_at": _datetime,
        },
    },
    "PracticeInput": {
        "type": "object",
        "required": ["title", "summary", "approach", "lessons", "outcome"],
        "additionalProperties": False,
        "properties": _PRACTICE_INPUT,
    },
    "PracticePatch": {
        "type": "object",
        "additionalProperties": False,
        "properties": _PRACTICE_INPUT,
    },
    "MeUpdate": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 120},
            "job_title": {"type": "string", "maxLength": 120},
            "expertise": {"type": "array", "items": {"type": "string"}},
        },
    },
}
