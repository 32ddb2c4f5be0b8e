"""The pages in a real browser: Chromium from Debian's packages (``/usr/bin/chromium``,
installed by ``.ci/run``) driven by Playwright, against uvicorn serving the app in a thread
on a SQLite database filled from the contract-v1 samples (``tests/data/v1``).

A bureau registers a transfer with a wrong and then a right value and sees it listed; an
insurer filters findings; a hospital accepts one pair of a draft run's statement and disputes
the other (first without a reason, then with one) and sees who decided; every page of every
role, and the forms' pages after a refused or answered submit, is checked with axe-core
(bundled by ``axe-playwright-python``) for serious and critical violations, and screenshotted
to ``out/pages/<page>.png`` with the axe result in ``out/pages/axe.txt``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "browser tests: /usr/bin/chromium is absent (`apt-get install chromium`; .ci/run does)",
        allow_module_level=True,
    )

import uvicorn  # noqa: E402
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from api.app import create_app  # noqa: E402
from spreiding.contract.reader import read_dataset  # noqa: E402
from spreiding.services import access, audit, datasets, settlement  # noqa: E402
from spreiding.store.database import make_engine, migrate  # noqa: E402
from tests.api.conftest import ALRIJNE, AMC, FLEVO, GROENE_HART  # noqa: E402
from tests.conftest import V1  # noqa: E402

SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "pages"
SERIOUS = ("serious", "critical")
# Each expectation waits up to 20 s for what it expects, not Playwright's 5: on the two shared
# cores of CI, with the rest of the suite running beside it, Swagger UI once took longer than
# 5 s to draw the API's operations. A page that never shows it still fails.
expect.set_options(timeout=20_000)


@dataclass
class Server:
    url: str
    keys: dict[str, str]
    run: int
    audit: int
    draft: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'pages.db'}")
    migrate(engine)
    with engine.begin() as connection:
        for name in ("samen-plus", "amsterdam-flevo"):  # through the service: the log has it
            datasets.import_dataset(connection, read_dataset(V1 / name))
        # A draft run to sign off: multilateral, so the final bilateral run does not replace it.
        draft = settlement.settle_year(
            connection, access.OPERATOR, year=2024, netting="multilateral"
        ).run.run_id
        run = settlement.settle_year(connection, access.OPERATOR, year=2024).run.run_id
        # Final, so the pages show its payment status and the hospitals' balances too.
        settlement.finalise_run(connection, access.OPERATOR, run, override="browser test")
        audited = audit.audit_year(connection, access.OPERATOR, year=2024).run.run_id
        keys = {
            "admin": access.create_api_key(connection, role="admin"),
            "alrijne": access.create_api_key(connection, role="hospital", agb=ALRIJNE),
            "bureau": access.create_api_key(
                connection, role="bureau", agreements=("samen-plus-liesbreuk-2024",)
            ),
            "insurer": access.create_api_key(connection, role="insurer", uzovi="3358"),
        }
    port = _free_port()
    config = uvicorn.Config(create_app(engine), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", keys, run, audited, draft)
    running.should_exit = True
    thread.join(10)
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


def signed_in(browser: Browser, server: Server, role: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL").new_page()
    page.goto(f"{server.url}/portaal/inloggen")
    page.get_by_label("API-sleutel").fill(server.keys[role])
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Welkom")).to_be_visible()
    return page


AXE = Axe()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    violations = AXE.run(page).response["violations"]
    return [v for v in violations if v.get("impact") in SERIOUS]


def test_the_bureau_registers_a_transfer_with_a_wrong_then_a_right_value(
    browser: Browser, server: Server
) -> None:
    page = signed_in(browser, server, "bureau")
    page.get_by_role("link", name="Overdrachten").first.click()
    page.get_by_label("Kenmerk overdracht").fill("BROWSER-T1")
    page.get_by_label("Zorgtype").fill("liesbreuk")
    page.get_by_label("Patiëntreferentie").fill("PS-BROWSER")
    page.get_by_label("Van ziekenhuis (AGB)").fill(ALRIJNE)
    page.get_by_label("Naar ziekenhuis (AGB)").fill("12345678")  # no such hospital
    page.get_by_label("Datum overdracht").fill("2024-11-01")
    page.get_by_role("button", name="Registreren").click()
    to_agb = page.get_by_label("Naar ziekenhuis (AGB)")
    expect(to_agb).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#to_agb-fout")).to_be_visible()
    expect(page.get_by_role("row", name="BROWSER-T1")).to_have_count(0)
    to_agb.fill(GROENE_HART)
    page.get_by_role("button", name="Registreren").click()
    expect(page.get_by_role("status")).to_have_text("Overdracht BROWSER-T1 is geregistreerd.")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="BROWSER-T1"))
    expect(row).to_have_count(1)
    expect(row.get_by_role("combobox")).to_have_value("planned")
    row.get_by_role("combobox").select_option("performed")
    row.get_by_role("button").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="BROWSER-T1"))
    expect(row.get_by_role("combobox")).to_have_value("performed")


def test_an_insurer_filters_findings_by_rule(browser: Browser, server: Server) -> None:
    page = signed_in(browser, server, "insurer")
    page.goto(f"{server.url}/portaal/controles/{server.audit}")
    summary = page.locator("#samenvatting")
    expect(summary).to_have_text("2 van 2 bevindingen; bedrag in het geding: € 3.100,00")
    page.get_by_label("Regel").select_option("PAR-001")
    page.get_by_role("button", name="Filteren").click()
    expect(summary).to_have_text("1 van 2 bevindingen; bedrag in het geding: € 1.000,00")
    page.get_by_label("Bedrag vanaf (€)").fill("1.000,01")
    page.get_by_role("button", name="Filteren").click()
    expect(summary).to_have_text("0 van 2 bevindingen; bedrag in het geding: € 0,00")


def statement_path(server: Server, run: int) -> str:
    return f"/portaal/verrekeningen/{run}/overzicht/{ALRIJNE}/{GROENE_HART}"


def sign_form(page: Page, debtor: str, decision: str) -> Any:
    """The accept (``Akkoord``) or dispute (``Betwisten``) form of the pair debtor→creditor."""
    return (
        page.locator("form")
        .filter(has=page.locator(f'input[name="debtor"][value="{debtor}"]'))
        .filter(has=page.locator(f'input[name="besluit"][value="{decision}"]'))
    )


def test_a_hospital_accepts_one_pair_and_disputes_the_other(
    browser: Browser, server: Server
) -> None:
    page = signed_in(browser, server, "alrijne")
    key_id = server.keys["alrijne"].split("_")[1]
    page.goto(f"{server.url}{statement_path(server, server.draft)}")
    signoff = page.locator("section").filter(has=page.get_by_role("heading", name="Aftekenen"))
    performed = "Alrijne Ziekenhuis voor Groene Hart Ziekenhuis"  # Groene Hart pays Alrijne
    expect(signoff.get_by_role("heading", name=f"{performed} (open)")).to_be_visible()
    sign_form(page, GROENE_HART, "accept").get_by_role(
        "button", name="Akkoord namens Alrijne Ziekenhuis"
    ).click()

    def decision(text: str) -> Any:
        return signoff.get_by_role("listitem").filter(has_text=text)

    accepted = decision("Alrijne Ziekenhuis (uitvoerder): ")
    expect(accepted).to_contain_text("Alrijne Ziekenhuis (uitvoerder): akkoord op ")
    expect(accepted).to_contain_text(f"(key:{key_id})")
    expect(decision("Groene Hart Ziekenhuis (aanvrager, betaalt): ")).to_have_text(
        "Groene Hart Ziekenhuis (aanvrager, betaalt): nog niet afgetekend"
    )
    # The other pair: Alrijne pays Groene Hart; a dispute without a reason is refused.
    disputed = sign_form(page, ALRIJNE, "dispute")
    disputed.get_by_role("button", name="Betwisten").click()
    reason = sign_form(page, ALRIJNE, "dispute").get_by_label("Reden van de betwisting")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Geef de reden van de betwisting.")).to_be_visible()
    assert serious_violations(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overzicht-betwisting-fout.png"), full_page=True)
    reason.fill("Twee DBC's zijn al door de verzekeraar vergoed.")
    sign_form(page, ALRIJNE, "dispute").get_by_role("button", name="Betwisten").click()
    other = "Groene Hart Ziekenhuis voor Alrijne Ziekenhuis"
    expect(signoff.get_by_role("heading", name=f"{other} (betwist)")).to_be_visible()
    disputer = decision("Alrijne Ziekenhuis (aanvrager, betaalt): ")
    expect(disputer).to_contain_text("Alrijne Ziekenhuis (aanvrager, betaalt): betwist op ")
    expect(disputer).to_contain_text(
        f"(key:{key_id}): Twee DBC's zijn al door de verzekeraar vergoed."
    )
    expect(signoff.get_by_role("heading", name=f"{performed} (open)")).to_be_visible()


Action = Callable[[Page], None] | None


def _simulate(page: Page) -> None:
    page.get_by_label("Jaar", exact=True).fill("2024")
    page.get_by_role("button", name="Simuleren").click()
    expect(page.get_by_role("heading", name="uit het plan")).to_be_visible()


def _simulate_a_wrong_year(page: Page) -> None:
    page.get_by_label("Jaar", exact=True).fill("twintig")
    page.get_by_role("button", name="Simuleren").click()
    expect(page.get_by_label("Jaar", exact=True)).to_have_attribute("aria-invalid", "true")


def _sign_in_with_a_wrong_key(page: Page) -> None:
    page.get_by_label("API-sleutel").fill("spr_fout_fout")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_have_text("Deze sleutel wordt niet geaccepteerd.")


def _issue_a_key(page: Page) -> None:
    page.get_by_label("Rol").select_option("insurer")
    page.get_by_label("UZOVI (zorgverzekeraar)").fill("3358")
    page.get_by_role("button", name="Uitgeven").click()
    expect(page.get_by_role("status")).to_contain_text("De nieuwe sleutel.")


def _refused(button: str) -> Callable[[Page], None]:
    """Send the page's form empty: each field's refusal shown next to it."""

    def send(page: Page) -> None:
        page.get_by_role("button", name=button).first.click()
        expect(page.locator("[aria-invalid=true]").first).to_be_visible()

    return send


def pages_of(server: Server) -> list[tuple[str, str, str, Action]]:
    """(screenshot name, role, path, what to do there first) of every page: each GET page of
    ``api/pages`` (not the CSV, XLSX and PDF downloads) and each form's answer."""
    run, statement = f"/portaal/verrekeningen/{server.run}", f"{ALRIJNE}/{GROENE_HART}"
    draft = statement_path(server, server.draft)
    return [
        ("inloggen", "", "/portaal/inloggen", None),
        ("inloggen-fout", "", "/portaal/inloggen", _sign_in_with_a_wrong_key),
        ("start-ziekenhuis", "alrijne", "/portaal", None),
        ("start-bureau", "bureau", "/portaal", None),
        ("start-verzekeraar", "insurer", "/portaal", None),
        ("start-beheerder", "admin", "/portaal", None),
        ("verrekeningen", "alrijne", "/portaal/verrekeningen", None),
        ("verrekening", "alrijne", run, None),
        ("overzicht", "alrijne", f"{run}/overzicht/{statement}", None),
        ("overzicht-aftekenen", "alrijne", draft, None),
        ("overzicht-aftekenen-beheerder", "admin", draft, None),
        ("controles", "insurer", "/portaal/controles", None),
        ("controle", "insurer", f"/portaal/controles/{server.audit}", None),
        ("overeenkomsten", "bureau", "/portaal/overeenkomsten", None),
        ("overdrachten", "bureau", "/portaal/overdrachten", None),
        ("overdrachten-fout", "bureau", "/portaal/overdrachten", _refused("Registreren")),
        ("uren", "bureau", "/portaal/uren", None),
        ("uren-fout", "bureau", "/portaal/uren", _refused("Registreren")),
        ("uren-ziekenhuis", "alrijne", "/portaal/uren", None),
        ("volumes", "bureau", "/portaal/volumes?jaar=2024", None),
        ("simulatie", "bureau", "/portaal/simulatie", None),
        ("simulatie-resultaat", "bureau", "/portaal/simulatie", _simulate),
        ("simulatie-fout", "bureau", "/portaal/simulatie", _simulate_a_wrong_year),
        ("sleutels", "admin", "/portaal/sleutels", None),
        ("sleutels-nieuw", "admin", "/portaal/sleutels", _issue_a_key),
        ("gebeurtenissen", "admin", "/portaal/gebeurtenissen", None),
        ("datasets", "admin", "/portaal/datasets", None),
        ("verrekening-beheerder", "admin", run, None),
        ("niet-gevonden", "alrijne", f"{run}/overzicht/{AMC}/{FLEVO}", None),
        ("geen-toegang", "insurer", "/portaal/datasets", None),
    ]


def test_every_page_has_no_serious_accessibility_violation(
    browser: Browser, server: Server
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sessions: dict[str, Page] = {}
    report, failures = [], []
    for name, role, path, action in pages_of(server):
        if role and role not in sessions:
            sessions[role] = signed_in(browser, server, role)
        page = sessions[role] if role else browser.new_page(locale="nl-NL")
        page.goto(f"{server.url}{path}")
        if action is not None:
            action(page)
        found = serious_violations(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        summary = ", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in found)
        report.append(f"{name}\t{path}\t{summary or 'geen ernstige of kritieke schendingen'}")
        if found:
            failures.append(f"{name}: {summary}")
    (SCREENSHOTS / "axe.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    assert failures == []
    assert {f"{name}.png" for name, *_ in pages_of(server)} <= {
        p.name for p in SCREENSHOTS.glob("*.png")
    }


def test_a_page_prints_without_navigation_or_forms(browser: Browser, server: Server) -> None:
    page = signed_in(browser, server, "alrijne")
    page.goto(f"{server.url}/portaal/verrekeningen/{server.run}")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_hidden()
    expect(page.get_by_role("button", name="Filteren")).to_be_hidden()
    expect(page.get_by_role("heading", name="Posities")).to_be_visible()
    pdf = page.pdf()
    assert pdf[:5] == b"%PDF-"


def test_the_api_documentation_renders_offline_with_the_key_scheme(
    browser: Browser, server: Server
) -> None:
    """``/docs`` draws every operation from the app's own assets (no request leaves the
    machine) and offers the API key through its Authorize dialog."""
    page = browser.new_context().new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(server.url) else outside.append(request.url),
    )
    page.goto(f"{server.url}/docs")
    expect(page.get_by_role("heading", name="spreiding")).to_be_visible()
    expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
    expect(
        page.locator(".opblock-summary-path", has_text="/settlement-runs/{run_id}").first
    ).to_be_visible()
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text("X-API-Key")).to_be_visible()
    assert outside == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "api-docs.png"), full_page=False)
