"""Every page type of the admin, audited by axe-core in Debian's chromium, and measured
for fit on a 1,280 px screen and a 390 px phone.

axe-core is the npm package pinned in clients/package.json (``npm ci --prefix
clients`` installs it, as .ci/run does). Its script is injected into each page by
Playwright, and the audit must find no violation of impact "critical" or "serious".
The pages are one list (:data:`PAGES`) of addresses: a page type added to the admin
is audited by adding its address there.

The server, the browser and the logins are tests/browser.py's: the gunicorn shared
by the modules that change nothing another reads (here: a look-alike refused, a
source deleted, action pages opened but not sent), on a fresh database with the
demo data.
"""

import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.live_server, pytest.mark.shared_server]

AXE = ROOT / "clients" / "node_modules" / "axe-core" / "axe.min.js"
if not AXE.exists():
    pytest.skip(f"{AXE} is missing: npm ci --prefix clients", allow_module_level=True)

MODELS = ("document", "event", "person", "place", "source", "state")
# The demo record of each type audited: the one with the most inline rows of its kind.
DEMO_RECORDS = {
    "document": "sikorski-mayski-agreement",
    "event": "signing-of-the-sikorski-mayski-agreement",
    "person": "ivan-maisky",
    "place": "moscow",
    "source": "sikorski-mayski-agreement-article",
    "state": "poland",
}

# Every page type of the admin, as (what it is, address, who opens it). {document} is
# the demo document's id, {document_version} the id of its first version.
PAGES = [
    ("login", "/admin/login/", None),
    ("index", "/admin/", "archivist"),
    ("search", "/admin/search/?q=maisky", "archivist"),
    ("app index", "/admin/archive/", "archivist"),
    *((f"{m} list", f"/admin/archive/{m}/", "archivist") for m in MODELS),
    *((f"{m} add", f"/admin/archive/{m}/add/", "archivist") for m in MODELS),
    *((f"{m} change", f"/admin/archive/{m}/{{{m}}}/change/", "archivist") for m in MODELS),
    *((f"{m} view", f"/admin/archive/{m}/{{{m}}}/view/", "archivist") for m in MODELS),
    *((f"{m} history", f"/admin/archive/{m}/{{{m}}}/history/", "archivist") for m in MODELS),
    ("deleted records", "/admin/archive/source/deleted/", "archivist"),
    ("places on a map", "/admin/archive/place/map/", "archivist"),
    (
        "revert preview",
        "/admin/archive/document/{document}/history/{document_version}/",
        "archivist",
    ),
    ("add in a popup", "/admin/archive/place/add/?_to_field=id&_popup=1", "archivist"),
    ("person view, as a reader", "/admin/archive/person/{person}/view/", "reader"),
    (
        "earlier version, as a reader",
        "/admin/archive/document/{document}/history/{document_version}/",
        "reader",
    ),
    # Archivists never delete a record (archive.permissions): an admin does.
    ("delete confirmation", "/admin/archive/document/{document}/delete/", "admin"),
]
# The pages an action of a list opens (a POST, as an archivist), as (what it is, the
# list's address, the action).
ACTION_PAGES = [
    ("bulk change: publish", "/admin/archive/document/", "publish_selected"),
    ("bulk change: set a field", "/admin/archive/document/", "set_field_on_selected"),
]
# The pages measured on each screen: the forms, and the record's read view.
FORMS_AND_VIEWS = [
    (what, url)
    for what, url, who in PAGES
    if who == "archivist" and what.endswith((" add", " change", " view", "popup"))
]

RECORDS_SCRIPT = """
import json
from django.apps import apps
from archive import change_reasons
from archive.models import Source
ids = {{}}
for model, slug in {records!r}.items():
    record = apps.get_model("archive", model).objects.get(slug=slug)
    ids[model] = record.pk
    if model == "document":
        ids["document_version"] = record.history.earliest("history_date").history_id
# A deleted record, for the deleted records' page to list.
with change_reasons.reason_scope("A copy made by mistake"):
    Source.objects.create(slug="a-copy", title="A copy").delete()
print("JSON " + json.dumps(ids))
"""


@pytest.fixture(scope="module")
def record_ids(server):
    """The ids of the demo records that the addresses of PAGES name."""
    return server.shell(RECORDS_SCRIPT.format(records=DEMO_RECORDS))


def _audit(page: Page) -> list[dict]:
    """axe-core's violations of impact critical or serious on the page as it is."""
    page.add_script_tag(path=AXE)
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations
                .filter((v) => v.impact === "critical" || v.impact === "serious")
                .map((v) => ({id: v.id, impact: v.impact, count: v.nodes.length,
                              targets: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}));
        }"""
    )


def _described(found: dict[str, list[dict]]) -> str:
    lines = []
    for what, violations in found.items():
        for v in violations:
            lines.append(f"{what}: {v['id']} ({v['impact']}) ×{v['count']}: {v['targets']}")
    return "\n".join(lines)


# add_script_tag injects axe's source as an inline <script>, which the admin's
# Content-Security-Policy (script-src 'self') refuses: the audit's pages alone are
# opened with the policy bypassed. (The other browser tests check that the admin
# itself works under the policy.)
AUDITED = {"bypass_csp": True}


def test_axe_finds_no_serious_violation_on_any_admin_page(logged_in_page, new_context, record_ids):
    found = {}
    pages = {}  # one per login
    for what, url, who in PAGES:
        if who not in pages:
            pages[who] = (
                logged_in_page(who, **AUDITED) if who else new_context(**AUDITED).new_page()
            )
        page = pages[who]
        response = page.goto(url.format(**record_ids))
        assert response.status == 200, f"{what}: {url} answered {response.status}"
        found[what] = _audit(page)
    page = pages["archivist"]
    for what, url, action in ACTION_PAGES:
        page.goto(url)
        page.locator("#action-toggle").check()
        page.locator("select[name=action]").select_option(action)
        with page.expect_navigation():
            page.get_by_role("button", name="Go").first.click()
        expect(page.locator("#content")).to_contain_text("saved as a version of its own")
        found[what] = _audit(page)
    # A record that looks like one the archive holds, refused until the archivist says
    # it is another (archive.admin.duplicates).
    page.goto("/admin/archive/person/add/")
    page.locator("#id_name").fill("Ivan Maisky")
    page.locator("#id_born").fill("1884-01-19")
    page.locator("#id_slug").fill("ivan-maisky-again")
    page.locator("#id_change_reason").fill("A second Maisky?")
    page.locator("input[name=_save]").click()
    expect(page.locator("#content")).to_contain_text("Ivan Maisky")
    expect(page.locator("input[name=_another_record]")).to_be_visible()
    found["look-alike refused"] = _audit(page)
    table = {what: {v["id"]: v["count"] for v in violations} for what, violations in found.items()}
    print("AXE " + json.dumps(table))
    assert not any(found.values()), _described(found)


# The form's visible fields that are neither inside the viewport nor inside a box that
# scrolls sideways (itself inside the viewport), as "what: where".
FIELDS_OUT_OF_REACH = """() => {
    const width = document.documentElement.clientWidth;
    const inside = (box) => box.left >= -1 && box.right <= width + 1;
    const out = [];
    const fields = "input, select, textarea, .select2-container";
    for (const field of document.querySelectorAll(`#content-main form :is(${fields})`)) {
        const box = field.getBoundingClientRect();
        if (box.width <= 1 || !field.checkVisibility()) continue;  // hidden, or select2's own
        let scroller = field.parentElement;
        while (scroller && !["auto", "scroll"].includes(getComputedStyle(scroller).overflowX)) {
            scroller = scroller.parentElement;
        }
        if (!inside(box) && !(scroller && inside(scroller.getBoundingClientRect()))) {
            const where = `${Math.round(box.left)}–${Math.round(box.right)}`;
            out.push(`${field.name || field.className}: ${where}`);
        }
    }
    return out;
}"""
# A laptop; a phone; the window a "+" opens (RelatedObjectLookups.js: width=800).
SCREEN_WIDTHS = {"laptop": 1280, "phone": 390, "popup": 800}


@pytest.mark.parametrize("screen", SCREEN_WIDTHS)
def test_every_form_and_view_fits_the_screen(logged_in_page, record_ids, screen, shots):
    """No sideways scrolling of the page at 1,280 px; at 390 px neither, and every field
    within reach (on the screen, or in a table that scrolls sideways on its own)."""
    width = SCREEN_WIDTHS[screen]
    page = logged_in_page("archivist", viewport={"width": width, "height": 900})
    too_wide = {}
    for what, url in FORMS_AND_VIEWS:
        page.goto(url.format(**record_ids))
        page_width = page.evaluate("() => document.documentElement.scrollWidth")
        out_of_reach = page.evaluate(FIELDS_OUT_OF_REACH)
        if page_width > width or out_of_reach:
            too_wide[what] = (page_width, out_of_reach)
        if what == "document change":
            page.locator("#signatories-group").scroll_into_view_if_needed()
            shots.take(page, "document-change", full_page=False)
    assert too_wide == {}
