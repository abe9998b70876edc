"""What else happens when an applicant accepts a place, or gives an accepted place up: handlers, called explicitly.

`services.results.accept_offer` calls `on_place_accepted(offer)` inside its transaction, after the offer is
marked accepted; `services.results.decline_offer` calls `on_place_released(offer)` when the offer declined
was an accepted one. The mobilities app plugs in here (its AppConfig.ready() registers the handlers that
nominate the student and cancel the nomination): mobilities depends on applications, never the reverse.

Handlers run in the caller's transaction, in the order they were registered: one that raises rolls the step
back, so an accepted place never lacks its nomination. No Django signals (ARCHITECTURE rule 4).
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mobilitas.applications.models import Offer

PlaceHandler = Callable[["Offer"], None]

_accepted: list[PlaceHandler] = []
_released: list[PlaceHandler] = []


def register_place_handlers(*, accepted: PlaceHandler, released: PlaceHandler) -> None:
    """Add a pair of handlers (once, however often they are registered)."""
    if accepted not in _accepted:
        _accepted.append(accepted)
    if released not in _released:
        _released.append(released)


def on_place_accepted(offer: "Offer") -> None:
    for handler in list(_accepted):
        handler(offer)


def on_place_released(offer: "Offer") -> None:
    for handler in list(_released):
        handler(offer)
