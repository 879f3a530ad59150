"""Domain errors and the one place they become HTML pages or JSON errors."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str | None = None):
        super().__init__(message or self.code)
        self.message = message or str(self.default_message)

    default_message = _l("Het verzoek kon niet worden verwerkt.")


class ValidationError(DomainError):
    """Bad input; `fields` maps a field name to the reason, in the reader's language."""

    status = 422
    code = "validation_failed"
    default_message = _l("Controleer de gemarkeerde velden.")

    def __init__(self, fields: dict[str, str], message: str | None = None):
        super().__init__(message)
        self.fields = {k: str(v) for k, v in fields.items()}


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _l("Niet gevonden.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("U heeft geen toegang tot deze actie.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _l("Dit is intussen door iemand anders gewijzigd.")


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
}

HTML_MESSAGES = {
    400: _l("Het verzoek is ongeldig."),
    401: _l("U moet inloggen om dit te doen."),
    403: _l("U heeft geen toegang tot deze pagina."),
    404: _l("Deze pagina bestaat niet (meer)."),
    405: _l("Deze actie is hier niet mogelijk."),
    413: _l("Het bestand of bericht is te groot."),
    429: _l("U heeft dit te vaak geprobeerd. Wacht een minuut en probeer het dan opnieuw."),
    500: _l("Er ging bij ons iets mis. Probeer het later opnieuw."),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"])
        == "application/json"
        and request.accept_mimetypes["application/json"] > request.accept_mimetypes["text/html"]
    )


def json_error(status: int, message: str, fields: dict | None = None, code: str | None = None):
    body = {"error": {"status": status, "code": code or HTTP_CODES.get(status, "error"),
                      "message": str(message)}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    return response


def error_page(status: int, message: str | None = None):
    if wants_json():
        return json_error(status, message or str(HTML_MESSAGES.get(status, "")))
    if status == 404:
        return not_found_page(message), 404
    message = message or str(HTML_MESSAGES.get(status, HTML_MESSAGES[400]))
    return render_template("errors/error.html", status=status, message=message), status


def not_found_page(message: str | None = None) -> str:
    """The 404 page. A visitor who is not logged in is invited to log in and come back here:
    members-only content is a 404 for them, and the page reads the same for something that
    does not exist, so it never confirms that anything is there. A specific message (not one
    of the generic ones) is still shown."""
    from flask_login import current_user

    from .web import safe_next

    generic = {str(NotFound.default_message), str(HTML_MESSAGES[404])}
    specific = message if message and str(message) not in generic else None
    if current_user.is_authenticated:
        return render_template("errors/404.html", message=specific or HTML_MESSAGES[404])
    here = request.path + (f"?{request.query_string.decode('utf-8', 'replace')}"
                           if request.query_string else "")
    return render_template("errors/404.html", message=specific, invite_login=True,
                           next_path=here if safe_next(here, fallback="") == here else None)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if wants_json():
            return json_error(exc.status, exc.message, getattr(exc, "fields", None), exc.code)
        return error_page(exc.status, exc.message)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        msg = str(_l("Het formulier is verlopen of ongeldig. "
                     "Laad de pagina opnieuw en probeer het nog eens."))
        return error_page(400, msg)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        response = make_response(error_page(status, None if status in HTML_MESSAGES
                                            else exc.description))
        # What the exception says beyond its text stays: `Allow` on a 405 (RFC 9110), …
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if app.config.get("KDE_RAISE_ERRORS"):  # tests see the real traceback
            raise exc
        app.logger.exception("Unhandled error")
        return error_page(500)
