from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from mobilitas.institutions.models import Alliance, AllianceMember
from tests.base import TenantTestCase
from tests.factories import make_institution


def make_alliance(slug: str, *members, coordinator=None) -> Alliance:  # type: ignore[no-untyped-def]
    alliance = Alliance.objects.create(slug=slug, name=slug.upper(), coordinator=coordinator)
    for institution in members:
        AllianceMember.objects.create(alliance=alliance, institution=institution)
    return alliance


class DirectoryTestCase(TenantTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        valid = {"charter_start": date(2021, 1, 1), "charter_end": today + timedelta(days=365)}
        cls.amiens = make_institution(
            name="UNIVERSITE DE PICARDIE JULES VERNE",
            names={"fr": "Université de Picardie Jules Verne", "en": "University of Picardie Jules Verne"},
            city="Amiens", erasmus_code="F  AMIENS01", schac_code="u-picardie.fr", pic="999876543", **valid,
        )  # fmt: skip
        cls.munich = make_institution(
            name="LUDWIG-MAXIMILIANS-UNIVERSITAET MUENCHEN",
            names={"de": "Ludwig-Maximilians-Universität München"},
            country="DE", city="München", erasmus_code="D  MUNCHEN01", schac_code="lmu.de", pic="999123456", **valid,
        )  # fmt: skip
        cls.cordoba = make_institution(
            name="UNIVERSIDAD LOYOLA ANDALUCIA", country="ES", city="Córdoba", erasmus_code="E  CORDOBA10", **valid
        )
        cls.expired = make_institution(
            name="ECOLE DES HAUTES ETUDES DISPARUES", city="Lille", erasmus_code="F  LILLE99",
            charter_start=date(2014, 1, 1), charter_end=date(2020, 12, 31),
        )  # fmt: skip
        cls.url = reverse("institutions-directory", args=[cls.inst_a.slug])

    def search(self, **params):  # type: ignore[no-untyped-def]
        self.client.force_login(self.alice)
        return self.client.get(self.url, params)

    def found(self, **params) -> set[str]:  # type: ignore[no-untyped-def]
        response = self.search(**params)
        self.assertEqual(response.status_code, 200)
        return {institution.erasmus_code for institution in response.context["page_obj"]}

    def test_it_lists_the_directory_for_every_member(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "University of Picardie Jules Verne")
        self.assertContains(response, '<span class="code">F  AMIENS01</span>', html=True)
        self.assertContains(response, "6 institutions found")

    def test_it_finds_a_name_ignoring_case_and_accents(self) -> None:
        self.assertEqual(self.found(q="université de PICARDIE"), {"F  AMIENS01"})
        self.assertEqual(self.found(q="universite picardie"), {"F  AMIENS01"})
        self.assertEqual(self.found(q="Ludwig Universität"), {"D  MUNCHEN01"})

    def test_it_finds_a_name_in_any_language(self) -> None:
        self.assertEqual(self.found(q="University of Picardie"), {"F  AMIENS01"})  # English, shown
        self.assertEqual(self.found(q="Université de Picardie"), {"F  AMIENS01"})  # French
        self.assertEqual(self.found(q="Maximilians-Universität"), {"D  MUNCHEN01"})  # German

    def test_it_finds_a_city(self) -> None:
        self.assertEqual(self.found(q="cordoba"), {"E  CORDOBA10"})
        self.assertEqual(self.found(q="MÜNCHEN"), {"D  MUNCHEN01"})

    def test_it_finds_an_erasmus_code_with_its_double_space(self) -> None:
        self.assertEqual(self.found(q="F  AMIENS01"), {"F  AMIENS01"})
        self.assertEqual(self.found(q="f amiens01"), {"F  AMIENS01"})
        self.assertEqual(self.found(q="E  OVIEDO01"), {"E  OVIEDO01"})

    def test_it_finds_a_schac_code(self) -> None:
        self.assertEqual(self.found(q="lmu.de"), {"D  MUNCHEN01"})

    def test_it_finds_a_pic(self) -> None:
        self.assertEqual(self.found(q="999876543"), {"F  AMIENS01"})

    def test_it_requires_every_word_to_match(self) -> None:
        self.assertEqual(self.found(q="picardie amiens"), {"F  AMIENS01"})
        self.assertEqual(self.found(q="picardie munchen"), set())
        self.assertContains(self.search(q="picardie munchen"), "No institution matches your search")

    def test_it_treats_like_wildcards_as_text(self) -> None:
        self.assertEqual(self.found(q="%"), set())
        self.assertEqual(self.found(q="_"), set())

    def test_it_filters_by_country(self) -> None:
        self.assertEqual(self.found(country="DE"), {"D  MUNCHEN01"})
        response = self.search()
        self.assertContains(response, '<option value="DE">Germany</option>', html=True)

    def test_it_offers_only_countries_present(self) -> None:
        response = self.search()
        self.assertNotContains(response, "Albania")

    def test_it_filters_hosted_institutions(self) -> None:
        self.assertEqual(self.found(hosted="on"), {self.inst_a.erasmus_code, "E  OVIEDO01"})

    def test_it_filters_institutions_with_a_valid_charter_today(self) -> None:
        self.assertEqual(self.found(valid_charter="on"), {"F  AMIENS01", "D  MUNCHEN01", "E  CORDOBA10"})

    def test_it_marks_an_expired_charter(self) -> None:
        response = self.search(q="disparues")
        self.assertContains(response, '<span class="badge warn">expired</span>', html=True)

    def test_it_filters_members_of_our_alliances(self) -> None:
        make_alliance("ours", self.inst_a, self.munich)
        make_alliance("theirs", self.inst_b, self.cordoba)
        self.assertEqual(self.found(alliance="ours"), {self.inst_a.erasmus_code, "D  MUNCHEN01"})
        response = self.search(alliance="theirs")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Select a valid choice", status_code=400)

    def test_it_combines_search_and_filters(self) -> None:
        self.assertEqual(self.found(q="universi", country="FR", valid_charter="on"), {"F  AMIENS01"})

    def test_it_orders_by_the_chosen_column(self) -> None:
        response = self.search(order="city")
        cities = [institution.city for institution in response.context["page_obj"]]
        self.assertEqual(cities, ["Amiens", "Amiens", "Córdoba", "Lille", "München", "Oviedo"])
        response = self.search(order="-name")
        names = [institution.display_name for institution in response.context["page_obj"]]
        self.assertEqual(names[0], "University of Picardie Jules Verne")
        self.assertEqual(names[-1], "ECOLE DES HAUTES ETUDES DISPARUES")

    def test_it_orders_by_the_name_shown_in_the_active_language(self) -> None:
        response = self.search(order="name", q="university")
        names = [institution.display_name for institution in response.context["page_obj"]]
        self.assertEqual(names, ["University A", "University B", "University of Picardie Jules Verne"])

    def test_it_pages_25_at_a_time_and_the_page_links_keep_the_filters(self) -> None:
        for n in range(30):
            make_institution(name=f"INSTITUTO POLITECNICO {n:02d}", country="PT", city="Porto", erasmus_code="")
        response = self.search(q="politecnico", country="PT", order="-name")
        page = response.context["page_obj"]
        self.assertEqual((len(page), page.paginator.count), (25, 30))
        self.assertContains(response, "Page 1 of 2")
        self.assertContains(
            response, 'href="/univ-a/directory/?q=politecnico&amp;country=PT&amp;order=-name&amp;page=2"'
        )

        response = self.search(q="politecnico", country="PT", order="-name", page="2")
        self.assertEqual(len(response.context["page_obj"]), 5)
        self.assertContains(response, "INSTITUTO POLITECNICO 00")
        self.assertContains(
            response, 'href="/univ-a/directory/?q=politecnico&amp;country=PT&amp;order=-name&amp;page=1"'
        )

    def test_it_shows_the_last_page_for_a_page_past_the_end(self) -> None:
        response = self.search(page="99")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["page_obj"].number, 1)

    def test_it_answers_htmx_with_the_results_only(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url, {"q": "picardie"}, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertNotIn("<html", content)
        self.assertNotIn('role="search"', content)
        self.assertIn("University of Picardie Jules Verne", content)
        self.assertIn("1 institution found", content)
        self.assertIn("HX-Request", response["Vary"])

    def test_it_answers_a_full_page_without_htmx_and_to_a_history_restore(self) -> None:
        self.client.force_login(self.alice)
        for headers in ({}, {"HX-Request": "true", "HX-History-Restore-Request": "true"}):
            response = self.client.get(self.url, {"q": "picardie"}, headers=headers)
            self.assertContains(response, "<html")
            self.assertContains(response, 'role="search"')
            self.assertContains(response, 'hx-trigger="input changed delay:300ms, search"')

    def test_it_explains_a_bad_parameter(self) -> None:
        for params, message in [
            ({"page": "abc"}, "Page: Enter a whole number."),
            ({"page": "0"}, "Page: Ensure this value is greater than or equal to 1."),
            ({"country": "ZZ"}, "Country: Select a valid choice. ZZ is not one of the available choices."),
            ({"order": "password"}, "Order by: Select a valid choice."),
            ({"q": "x" * 201}, "Search: Ensure this value has at most 200 characters"),
            ({"q": "a\x00b"}, "Search: Null characters are not allowed."),
        ]:
            with self.subTest(params=params):
                response = self.search(**params)
                self.assertContains(response, message, status_code=400)
                self.assertNotIn("page_obj", response.context)

    def test_it_explains_a_bad_parameter_in_the_htmx_partial(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url, {"page": "abc"}, headers={"HX-Request": "true"})
        # HTMX 2 swaps only 2xx answers: the message must come with a 200 to be seen.
        self.assertContains(response, "Page: Enter a whole number.", status_code=200)
        self.assertContains(response, 'role="alert"')

    def test_it_keeps_the_query_count_constant_in_the_number_of_rows(self) -> None:
        self.client.force_login(self.alice)
        make_alliance("ours", self.inst_a, self.munich)
        self.client.get(self.url)  # warm the session
        # session, user, memberships, countries, alliances, count, rows
        with self.assertNumQueries(7):
            response = self.client.get(self.url, {"order": "country"})
        self.assertEqual(len(response.context["page_obj"]), 6)
        for n in range(60 - 6):
            make_institution(name=f"HOCHSCHULE {n}", country="DE", city="Berlin", erasmus_code="")
        with self.assertNumQueries(7):
            response = self.client.get(self.url, {"order": "country"})
        self.assertEqual(len(response.context["page_obj"]), 25)
        self.assertEqual(response.context["page_obj"].paginator.count, 60)

    def test_it_sends_anonymous_visitors_to_the_login_page(self) -> None:
        self.assert_redirects_to_login(self.url)

    def test_carol_gets_404(self) -> None:
        self.assert_carol_gets_404(self.url)
        self.assert_carol_gets_404(self.url + "?q=oviedo")
