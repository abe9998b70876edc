from datetime import timedelta

import time_machine
from django.test import Client
from django.utils import timezone

from mobilitas.accounts import services
from mobilitas.accounts.models import ApiToken
from tests.api.base import ApiTestCase


class TokenAuthTests(ApiTestCase):
    def test_it_accepts_a_valid_token(self) -> None:
        self.assertEqual(self.api_get("/institutions").status_code, 200)

    def test_it_answers_401_without_a_token(self) -> None:
        response = Client().get("/api/v1/institutions")
        body = self.assert_problem(response, 401)
        self.assertEqual(body["type"], "about:blank")
        self.assertEqual(response["WWW-Authenticate"], "Bearer")

    def test_it_answers_401_for_an_unknown_token(self) -> None:
        response = self.api_get("/institutions", secret="mob_" + "x" * 43)
        self.assert_problem(response, 401)
        self.assertEqual(response["WWW-Authenticate"], 'Bearer error="invalid_token"')

    def test_it_answers_401_for_another_scheme(self) -> None:
        response = Client().get("/api/v1/institutions", headers={"Authorization": f"Token {self.secret}"})
        self.assert_problem(response, 401)

    def test_it_does_not_take_a_session_for_a_token(self) -> None:
        client = Client()
        client.force_login(self.alice)
        self.assert_problem(client.get("/api/v1/institutions"), 401)

    def test_it_refuses_a_revoked_token(self) -> None:
        services.revoke_api_token(self.api_token, actor=self.alice)
        self.assert_problem(self.api_get("/institutions"), 401)

    def test_it_refuses_the_token_of_a_deactivated_user(self) -> None:
        self.alice.is_active = False
        self.alice.save()
        self.assert_problem(self.api_get("/institutions"), 401)

    def test_it_notes_when_the_token_was_last_used(self) -> None:
        self.api_get("/institutions")
        self.api_token.refresh_from_db()
        self.assertAlmostEqual(self.api_token.last_used_at, timezone.now(), delta=timedelta(seconds=5))

    def test_it_writes_last_use_at_most_once_a_minute(self) -> None:
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            self.api_get("/institutions")
        with time_machine.travel(start + timedelta(seconds=50), tick=False):
            self.api_get("/institutions")
        self.assertEqual(ApiToken.objects.get(pk=self.api_token.pk).last_used_at, start)
        with time_machine.travel(start + timedelta(seconds=61), tick=False):
            self.api_get("/institutions")
        self.assertEqual(ApiToken.objects.get(pk=self.api_token.pk).last_used_at, start + timedelta(seconds=61))
