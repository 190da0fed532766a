"""The Network page in a real browser, as a network viewer sees it: a data steward of two demo-network
organisations chooses "View as: a network viewer" (the same viewer a network grant of both gives), and the menu
offers the Network page only, with published figures, the benchmark table and the change over time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import running_streamlit
from test_browser import FINISHED, RUN_TIMEOUT_MS, VIEWPORT

MENU_LINK = '[data-testid="stPageLink-NavLink"]'


@pytest.fixture(scope="module")
def network_server(tmp_path_factory) -> Iterator[str]:
    from models.db import get_engine, upgrade_schema
    from models.seeding import load_reference_baselines, seed_network

    path: Path = tmp_path_factory.mktemp("browser-network") / "network.db"
    engine = get_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    load_reference_baselines(engine)
    seed_network(engine=engine, size=0.2, codes_wanted=("NET01", "NET03"))
    engine.dispose()
    with running_streamlit(path, tmp_path_factory.mktemp("streamlit-network")) as url:
        yield url


def _settle(page) -> None:
    page.wait_for_selector(FINISHED, timeout=RUN_TIMEOUT_MS)
    page.wait_for_timeout(1500)  # plotly draws after the script has finished


def test_a_network_viewer_gets_the_network_page_only_with_published_figures(browser, network_server,
                                                                            screenshots):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        page.goto(network_server, wait_until="domcontentloaded")
        _settle(page)
        page.locator('[data-testid="stSelectbox"]').filter(has_text="View as").locator("input").click()
        page.get_by_role("option", name="A network viewer (an ICB or region)").click()
        page.wait_for_selector("h1:has-text('Network: organisations compared')", timeout=RUN_TIMEOUT_MS)
        _settle(page)
        menu = {t.strip().split("\n")[-1].strip() for t in page.locator(MENU_LINK).all_inner_texts()}
        assert menu == {"Network"}, menu
        main = page.locator('[data-testid="stMain"]')
        main.get_by_text("Benchmark table", exact=True).wait_for(timeout=RUN_TIMEOUT_MS)
        text = main.inner_text()
        assert "You are viewing the dashboard as a network viewer" in text
        assert "2 organisations you may see" in text and "NOT FOR PUBLICATION" not in text.upper()
        assert any(s in text for s in ("Outside the limits", "within the 95% limits", "No organisation can be"))
        assert "Over time" in text and ("significantly" in text)
        assert page.locator('[data-testid="stPlotlyChart"]').count() >= 1
        assert page.locator('[data-testid="stDataFrame"]').count() >= 3  # funnel text alternative, benchmark, change
        page.screenshot(path=str(screenshots / "network_viewer.png"), full_page=True)
    finally:
        context.close()
