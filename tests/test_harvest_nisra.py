"""The NISRA release-calendar harvest, on trimmed copies of the recorded calendar files.

The fixtures (tests/fixtures/harvest/nisra/) are real entries from
NISRA-Tech-Lab/latest-publications with the summaries shortened; one calendar entry
is constructed: a release whose id the file lists as cancelled.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graph.harvest import fetch, nisra
from graph.harvest.base import HarvestError
from graph.harvest.run import run

FIXTURES = Path(__file__).parent / "fixtures" / "harvest" / "nisra"
HISTORIC = FIXTURES / "nisra-release-historic.json"
CALENDAR = FIXTURES / "nisra-release-calendar.json"


@pytest.fixture(scope="module")
def harvest():
    return nisra.from_recorded(FIXTURES)


def by_name(harvest, name):
    return next(n for n in harvest.nodes if n["name"] == name)


def test_every_record_and_relationship_is_valid(harvest):
    assert harvest.problems() == []


def test_recorded_date_is_the_latest_modified_date(harvest):
    assert harvest.recorded == "2026-08-21"
    assert {n["verified"] for n in harvest.nodes} == {"2026-08-21"}
    assert nisra.from_recorded(HISTORIC).recorded == "2025-12-03"


def test_editions_sharing_a_page_are_one_series_with_its_newest_edition(harvest):
    deaths = [n for n in harvest.nodes if n["name"].startswith("Deaths Registered")]
    assert len(deaths) == 1
    series = deaths[0]
    assert series["url"] == "https://www.nisra.gov.uk/statistics/death-statistics/weekly-death-registrations-northern-ireland"
    assert series["latest_release"] == "2026-08-21"
    assert series["status"] == "accredited_official"
    assert series["release"] == "weekly"
    assert series["nations"] == ["northern_ireland"]
    assert series["contact"] == {"url": series["url"]}  # the series page: the calendar gives no mailbox
    assert "description" not in series
    # An older edition was listed under DoF; the series is produced by whoever publishes it now.
    assert {"type": "PRODUCES", "from": "nisra", "to": series["id"]} in harvest.edges
    assert "ni-dof" not in {n["id"] for n in harvest.nodes}


def test_an_upcoming_edition_is_not_the_latest(harvest):
    births = by_name(harvest, "Monthly Births (Northern Ireland)")
    assert births["latest_release"] == "2026-08-11"  # the September 2026 one is only announced
    assert births["release"] == "monthly"


def test_a_page_listing_several_series_keeps_them_apart(harvest):
    page = "https://www.psni.police.uk/inside-psni/Statistics/"
    names = sorted(n["name"] for n in harvest.nodes if n.get("url") == page)
    assert names == ["Preliminary Breath Tests conducted in Northern Ireland",
                     "Security Situation Statistics for Northern Ireland"]
    assert by_name(harvest, "Preliminary Breath Tests conducted in Northern Ireland")["status"] == "official"


def test_editions_with_their_own_pages_group_by_title(harvest):
    abortion = by_name(harvest, "Northern Ireland Abortion Statistics")
    assert abortion["latest_release"] == "2025-12-02"
    assert abortion["latest_url"] == "https://datavis.nisra.gov.uk/health/ni-abortion-stats-2024-25.html"
    assert abortion["status"] == "official"


def test_a_cancelled_release_is_left_out_and_an_announced_series_has_no_page(harvest):
    assert not any("Sickness Absence" in n["name"] for n in harvest.nodes)
    planning = by_name(harvest, "Northern Ireland planning statistics")
    assert "url" not in planning and "latest_release" not in planning
    assert "announced release" in planning["source"]


def test_producers_scope_and_ids(harvest):
    producers = {n["id"]: n for n in harvest.nodes if n["label"] == "Producer"}
    assert set(producers) == {"nisra", "psni", "ni-doh", "ni-bso", "ni-dfi"} == harvest.scope
    assert producers["psni"]["identifiers"] == {"nisra": "PSNI"} and producers["psni"]["aliases"] == ["PSNI"]
    assert producers["ni-doh"]["name"] == "Department of Health (Northern Ireland)"
    assert "aliases" not in producers["ni-doh"]  # "DoH" would read as the GB department
    assert all(p["nations"] == ["northern_ireland"] for p in producers.values())
    assert all("contact" not in p for p in producers.values())


def test_part_of_only_between_harvested_producers():
    releases = [nisra.Release("a", "Monthly Births (Northern Ireland): May 2020", "https://x.test/a", "2020-06-01",
                              "NISRA", "AOS"),
                nisra.Release("b", "Northern Ireland House Price Index: Q1 2020", "https://x.test/b", "2020-05-01",
                              "DoF", "AOS")]
    h = nisra.build(releases, "2020-07-01")
    assert {"type": "PART_OF", "from": "nisra", "to": "ni-dof"} in h.edges
    h = nisra.build(releases[:1], "2020-07-01")
    assert not [e for e in h.edges if e["type"] == "PART_OF"]


def test_organisations_filter():
    h = nisra.from_recorded(FIXTURES, ["psni"])
    assert h.scope == {"psni"}
    assert {n["label"] for n in h.nodes if n["id"] != "psni"} == {"Statistic"}
    with pytest.raises(HarvestError, match="'XYZ' is not a NISRA calendar producer"):
        nisra.from_recorded(FIXTURES, ["XYZ"])


def write(tmp_path, data) -> Path:
    path = tmp_path / "nisra-release-calendar.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


def calendar_with(**changes):
    data = json.loads(CALENDAR.read_text("utf-8"))
    data["entries"][0].update(changes)
    return data


@pytest.mark.parametrize("changes, field, message", [
    ({"org": "XYZ"}, "org", "is not a producer this harvest knows ('XYZ')"),
    ({"title": ""}, "title", "is missing"),
    ({"url": None}, "url", "is missing"),
    ({"release_date": "21 August 2026"}, "release_date", "is not a date and time"),
    ({"type": "X"}, "type", "must be one of AOS, OS, R"),
])
def test_a_bad_entry_names_the_file_the_entry_and_the_field(tmp_path, changes, field, message):
    path = write(tmp_path, calendar_with(**changes))
    entry_id = json.loads(CALENDAR.read_text("utf-8"))["entries"][0]["id"]
    with pytest.raises(HarvestError) as caught:
        nisra.from_recorded(path)
    assert caught.value.where == str(path)
    assert caught.value.field == f"entries[id={entry_id}].{field}"
    assert message in caught.value.message


def test_missing_entries_or_bad_json_is_an_error(tmp_path):
    with pytest.raises(HarvestError, match="entries: is missing"):
        nisra.from_recorded(write(tmp_path, {"name": "x", "modified": "2026-08-21T17:54:07Z"}))
    (tmp_path / "nisra-release-calendar.json").write_text("{", "utf-8")
    with pytest.raises(HarvestError, match="body: is not valid JSON"):
        nisra.from_recorded(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(HarvestError, match="holds no NISRA calendar file"):
        nisra.from_recorded(tmp_path / "empty")


def test_the_project_file_names_are_read_too(tmp_path):
    shutil.copy(CALENDAR, tmp_path / "nisra_release_calendar.json")
    assert nisra.from_recorded(tmp_path).recorded == "2026-08-21"


class FakeReader(fetch.Reader):
    def __init__(self, bodies: dict[str, str]):
        self.bodies, self.asked = bodies, []

    def get(self, url: str) -> str:
        self.asked.append(url)
        if url not in self.bodies:
            raise HarvestError(url, "", "answered HTTP 404 Not Found")
        return self.bodies[url]


def test_live_reads_the_published_json(harvest):
    historic_url, calendar_url = nisra.LIVE_URLS
    reader = FakeReader({historic_url: HISTORIC.read_text("utf-8"), calendar_url: CALENDAR.read_text("utf-8")})
    live = nisra.from_live(reader)
    assert reader.asked == list(nisra.LIVE_URLS)
    assert live.nodes == harvest.nodes and live.edges == harvest.edges


def test_live_error_names_the_url():
    reader = FakeReader({nisra.LIVE_URLS[0]: json.dumps({"modified": "2025-12-03T14:09:25Z"}),
                         nisra.LIVE_URLS[1]: CALENDAR.read_text("utf-8")})
    with pytest.raises(HarvestError, match=r"nisra_release_historic\.json: entries: is missing"):
        nisra.from_live(reader)


def test_runs_into_a_store_and_a_rerun_changes_nothing(sqlite_store, harvest):
    plan, _result = run(sqlite_store, harvest)
    assert plan.counts()["Statistic"]["created"] == 9
    again, _ = run(sqlite_store, nisra.from_recorded(FIXTURES))
    assert not again.changed and not again.conflicts and not again.withdrawn
