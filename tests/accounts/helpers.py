from mobilitas.accounts import services
from mobilitas.accounts.models import ApiToken, User


def make_token(user: User, name: str = "script") -> tuple[ApiToken, str]:
    """A token made by the real service (its notice e-mail runs only if the test runs on_commit callbacks)."""
    return services.create_api_token(user, name=name)
