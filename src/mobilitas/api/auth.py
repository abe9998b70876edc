"""Personal API tokens: `Authorization: Bearer mob_...`, looked up by their SHA-256."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from mobilitas.accounts.models import ApiToken
from mobilitas.accounts.services import authenticate_api_token
from mobilitas.api.problems import InvalidToken


class ApiTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        api_token = authenticate_api_token(token)
        if api_token is None:
            raise InvalidToken
        # Code below the API (services, audit) reads the actor from request.user, as in pages.
        request.user = api_token.user
        return api_token
