from django.test import RequestFactory, TestCase
from django.views.defaults import server_error


class ServerErrorPageTests(TestCase):
    def test_it_renders_the_server_error_page_without_a_request_context(self) -> None:
        response = server_error(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 500)
        self.assertIn(b"Something went wrong on our side", response.content)
        self.assertIn("Rien n'a été enregistré à moitié".encode(), response.content)
