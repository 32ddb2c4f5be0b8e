"""The Dutch notation of the pages: amounts, dates, shares, typed amounts, the flows chart."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from spreiding.render.web import Flow, datum, euro, flows_svg, parse_euro, reason_nl, share


def test_amounts_dates_and_shares_read_as_in_the_netherlands() -> None:
    assert euro(123456) == "€ 1.234,56"
    assert euro(-45000) == "€ -450,00"
    assert euro(0) == "€ 0,00"
    assert euro(1) == "€ 0,01"
    assert euro(Decimal("1234567.5")) == "€ 1.234.567,50"
    assert datum(date(2024, 3, 23)) == "23-03-2024"
    assert datum("2024-12-31") == "31-12-2024"
    assert datum(datetime(2025, 1, 1, 23, 59)) == "01-01-2025"
    assert datum(None) == ""
    assert share(Decimal("0.875")) == "87,5%"
    assert share("1") == "100%"
    assert reason_nl("NO_CONSENT").startswith("geen toestemming")
    assert reason_nl("SOMETHING_NEW") == "SOMETHING_NEW"


def test_a_typed_amount_is_read_in_cents() -> None:
    assert parse_euro("1.234,56") == 123456
    assert parse_euro("€ 1234,5") == 123450
    assert parse_euro("1234.56") == 123456
    assert parse_euro("0,005") == 1  # half up to the cent
    assert parse_euro("0,0049") == 0
    for unreadable in ("", "  ", "veel", "1,2,3", "NaN", "Infinity"):
        assert parse_euro(unreadable) is None


@given(st.integers(min_value=-(2**62), max_value=2**62))
def test_every_amount_shown_reads_back_to_its_cents(cents: int) -> None:
    assert parse_euro(euro(cents)) == cents


def test_the_chart_draws_each_payment_with_its_amount_and_is_stable() -> None:
    flows = [Flow("Groene Hart", "Alrijne", 3944068), Flow("AMC", "Flevo & co", 2890240)]
    svg = flows_svg(flows)
    assert svg == flows_svg(list(flows))
    assert svg.count("<line ") == 2
    assert "€ 39.440,68" in svg and "€ 28.902,40" in svg
    assert "Flevo &amp; co" in svg  # names are escaped
    # The largest payment is drawn 14 pixels thick, the other by its share: 2 + 12*28902.40/39440.68.
    assert 'stroke-width="14"' in svg and 'stroke-width="10"' in svg
    assert "Geen betalingen" in flows_svg([])


def test_weeks_above_their_plan_are_marked_in_the_chart_and_in_words() -> None:
    from spreiding.render.web import Week, plan_mark, weeks_svg

    svg = weeks_svg(
        [Week("2024-W01", 3, 3), Week("2024-W02", 4, 3), Week("2024-W03", 0, None)], title="t"
    )
    assert svg.count("<rect ") == 3
    assert svg.count('fill="#a4000f">+</text>') == 1  # only week 2 is above its plan
    assert svg.count("stroke-dasharray") == 2  # week 3 has no plan
    assert "2024-W02: 4 overdrachten, plan 3" in svg
    assert [plan_mark(4, 3), plan_mark(3, 3), plan_mark(2, 3), plan_mark(2, None)] == [
        "boven plan",
        "volgens plan",
        "onder plan",
        "",
    ]
