from django.test import TestCase


class OpenApiDocsTests(TestCase):
    def test_it_serves_the_openapi_document(self) -> None:
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        schema = response.json()
        self.assertEqual(schema["info"]["title"], "Mobilitas API")
        self.assertIn("/api/v1/institutions", schema["paths"])
        self.assertIn("/api/v1/institutions/{public_id}", schema["paths"])
        self.assertEqual(schema["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"], "bearer")

    def test_it_hides_internal_routes_from_the_document(self) -> None:
        paths = self.client.get("/api/v1/openapi.json").json()["paths"]
        # The catch-all that turns unknown routes into problem documents is not part of the API.
        self.assertEqual(
            sorted(paths),
            [
                "/api/v1/agreements",
                "/api/v1/agreements/{public_id}",
                "/api/v1/agreements/{public_id}/approve",
                "/api/v1/agreements/{public_id}/share",
                "/api/v1/agreements/{public_id}/terminate",
                "/api/v1/applications",
                "/api/v1/applications/{public_id}",
                "/api/v1/applications/{public_id}/result",
                "/api/v1/applications/{public_id}/submit",
                "/api/v1/applications/{public_id}/withdraw",
                "/api/v1/calls",
                "/api/v1/calls/{public_id}",
                "/api/v1/calls/{public_id}/results",
                "/api/v1/courses",
                "/api/v1/courses/{public_id}",
                "/api/v1/courses/{public_id}/matches",
                "/api/v1/courses/{public_id}/share",
                "/api/v1/courses/{public_id}/unshare",
                "/api/v1/cross-enrolments",
                "/api/v1/cross-enrolments/{public_id}",
                "/api/v1/cross-enrolments/{public_id}/accept",
                "/api/v1/cross-enrolments/{public_id}/preapprove",
                "/api/v1/cross-enrolments/{public_id}/recognise",
                "/api/v1/cross-enrolments/{public_id}/refuse",
                "/api/v1/cross-enrolments/{public_id}/result",
                "/api/v1/cross-enrolments/{public_id}/withdraw",
                "/api/v1/institutions",
                "/api/v1/institutions/{public_id}",
                "/api/v1/offers/{public_id}/accept",
                "/api/v1/offers/{public_id}/decline",
                "/api/v1/pathway-enrolments/{public_id}",
                "/api/v1/pathways",
                "/api/v1/pathways/{public_id}",
                "/api/v1/pathways/{public_id}/apply",
                "/api/v1/programmes",
                "/api/v1/programmes/{public_id}",
            ],
        )

    def test_it_renders_the_docs_page_without_a_cdn(self) -> None:
        response = self.client.get("/api/v1/docs")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "/api/v1/openapi.json")
        self.assertContains(response, "swagger-ui")
        self.assertNotContains(response, "cdn.jsdelivr.net")

    def test_it_loads_the_docs_assets(self) -> None:
        response = self.client.get("/static/ninja/swagger-ui-bundle.js")
        self.assertEqual(response.status_code, 200)
