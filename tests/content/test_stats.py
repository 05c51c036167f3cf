from datetime import date

import pytest

from hearth.content.stats import content_mix, contractor_figures


def test_content_mix_against_targets():
    rows = content_mix({"Useful": 40, "Selling": 20, "Fun": 40}, {"Useful": 6, "Selling": 4})
    by = {r.rubric: r for r in rows}
    assert by["Useful"].actual_pct == pytest.approx(60)
    assert by["Selling"].difference == pytest.approx(20)
    assert by["Fun"].actual_pct == 0 and by["Fun"].count == 0
    assert content_mix({}, {}) == []


def test_contractor_figures():
    deadline = date(2026, 6, 10)
    figures = contractor_figures(
        [
            (deadline, date(2026, 6, 9), 2, True),  # on time, 2 revisions, finished
            (deadline, date(2026, 6, 12), 0, True),  # late
            (deadline, None, 0, False),  # not submitted
            (deadline, date(2026, 6, 10), 1, False),  # on the day counts as on time
        ]
    )
    assert figures.tasks == 4 and figures.submitted == 3 and figures.on_time == 2
    assert figures.on_time_rate == pytest.approx(2 / 3)
    assert figures.revisions_per_task == pytest.approx(1.0)
