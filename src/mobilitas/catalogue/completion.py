"""What else happens when a student completes a Pathway: a tiny registry of handlers, called explicitly.

`services.pathways.complete_pathway_enrolment` calls `on_pathway_completed(enrolment)` once, inside its
transaction, after the enrolment is marked completed. This is where the micro-credentials issue plugs in
issuing a credential: its AppConfig.ready() calls `register_completion_handler(issue_pathway_credential)`.

Handlers run in the completion's transaction, in the order they were registered: one that raises rolls the
completion back, so a credential is never missing for a completed enrolment. A handler that mails or calls
another system should defer that work with `transaction.on_commit` (and a task), as services do.
No Django signals (ARCHITECTURE rule 4): the caller and the handlers are named here, in plain code.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mobilitas.catalogue.models import PathwayEnrolment

CompletionHandler = Callable[["PathwayEnrolment"], None]

_handlers: list[CompletionHandler] = []


def register_completion_handler(handler: CompletionHandler) -> CompletionHandler:
    """Add `handler` (once, however often it is registered); returns it, so it can decorate a function."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def unregister_completion_handler(handler: CompletionHandler) -> None:
    if handler in _handlers:
        _handlers.remove(handler)


def on_pathway_completed(enrolment: "PathwayEnrolment") -> None:
    for handler in list(_handlers):
        handler(enrolment)
