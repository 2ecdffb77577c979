"""Search over a generated catalog of 200 definitions: a word of a description finds the feature,
a typo still finds it, names outrank descriptions, and owner, tag and kind filters narrow it."""

from __future__ import annotations

import random
import time

import pytest

from tests.backends import DIALECTS
from virtualfs import Entity, Feature, FeatureService, FeatureView, Source
from virtualfs.errors import RequestError
from virtualfs.governance import find
from virtualfs.governance.search import Query, edit_distance, match
from virtualfs.registry import Registry

DOMAINS = ("payments", "shipping", "inventory", "marketing", "support", "loyalty", "pricing", "catalogue")
NOUNS = ("volume", "ratio", "count", "total", "median", "streak", "share", "level", "gap", "index")
FILLER = ("weekly", "rolling", "per", "store", "across", "channels", "since", "launch", "measured", "daily",
          "window", "recent", "value", "mean", "sum", "after", "before", "each", "region", "tier")


def generated_catalog() -> Registry:
    """10 entities, 40 sources, 120 views of two features each and 30 services: 200 definitions
    (440 search documents), with the planted ones below among them."""
    pick = random.Random(16)

    def words(n: int) -> str:
        return " ".join(pick.choice(FILLER) for _ in range(n)).capitalize() + "."

    entities = [Entity(f"{domain}_unit_{i}", [f"unit_{i}_id"], description=words(5))
                for i, domain in enumerate([*DOMAINS, "warehouse", "courier"])]
    sources = [Source(f"src_{DOMAINS[i % 8]}_{i}", table=f"raw.{DOMAINS[i % 8]}_{i}", timestamp="ts",
                      description=words(8), owner=f"{DOMAINS[i % 8]}@shop.example") for i in range(38)]
    views = []
    for i in range(118):
        domain, entity = DOMAINS[i % 8], entities[i % 10]
        features = [Feature(f"{pick.choice(NOUNS)}_{pick.choice(NOUNS)}_{j}", "float64", description=words(6))
                    for j in range(2)]
        views.append(FeatureView(f"{domain}_{NOUNS[i % 10]}_{i}", [entity], sources[i % 38], features,
                                 description=words(10), owner=f"{domain}@shop.example",
                                 tags={"domain": domain, "tier": ("gold", "silver", "bronze")[i % 3]}))
    services = [FeatureService(f"model_{DOMAINS[i % 8]}_{i}", [f"{views[i].name}:*", f"{views[i + 1].name}:*"],
                               description=words(7)) for i in range(29)]
    return Registry.from_objects([*entities, *sources, *views, *services, *planted(entities[0])])


def planted(entity: Entity) -> list:
    """Two sources, two views and a service the test looks for (plus a decoy for ranking)."""
    payments = Source("card_payments", table="raw.card_payments", timestamp="ts", owner="risk@shop.example",
                      columns={"raw.card_payments.cardholder_name": {"pii": True}})
    returns = Source("returns", table="raw.returns", timestamp="ts", owner="ops@shop.example")
    disputes = FeatureView(
        "card_disputes", [entity], payments,
        [Feature("chargeback_rate", "float64",
                 description="Share of card payments disputed by the cardholder's bank in the last quarter."),
         Feature("cardholder_name", "string")],
        description="Bank disputes against our card payments.", owner="risk@shop.example",
        tags={"team": "risk", "tier": "gold"})
    processing = FeatureView(
        "returns_processing", [entity], returns,
        [Feature("refund_latency_hours", "float64",
                 description="Hours between a return reaching the warehouse and the refund being paid."),
         Feature("decoy_ratio", "float64", description="Mentions disputes only in passing.")],
        description="How returns are handled.", owner="ops@shop.example", tags={"team": "ops"})
    fraud = FeatureService("fraud_model", ["card_disputes:*"], description="Scores every checkout for fraud.",
                           owner="risk@shop.example", tags={"team": "risk"})
    return [disputes, processing, fraud]


CATALOG = generated_catalog()


def test_the_generated_catalog_holds_200_definitions():
    assert len(CATALOG.objects()) == 200


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("text", "first"), [
    ("quarter", "card_disputes:chargeback_rate"),             # a word of a description
    ("bank quartr", "card_disputes:chargeback_rate"),
    ("chargeback", "card_disputes:chargeback_rate"),          # a word of a name
    ("chargebak", "card_disputes:chargeback_rate"),           # a letter missing
    ("chargebakc rate", "card_disputes:chargeback_rate"),     # letters swapped, two words
    ("refund latncy", "returns_processing:refund_latency_hours"),
    ("hours refund paid", "returns_processing:refund_latency_hours"),
    ("fraud_model", "fraud_model"),                            # the exact name first
    ("fraud model", "fraud_model"),
    ("frad", "fraud_model"),
    ("disputes", "card_disputes"),                            # a name outranks a description
])
def test_search_ranks_the_wanted_definition_first(text, first, dialect):
    hits = find(CATALOG, dialect, Query(text))
    assert hits[0].name == first, [(hit.name, round(hit.score, 2)) for hit in hits[:5]]


def test_a_word_of_a_description_finds_the_feature_near_a_name_one_letter_off():
    names = [hit.name for hit in find(CATALOG, "duckdb", Query("disputed"))]
    assert names[:2] == ["card_disputes", "card_disputes:chargeback_rate"]


def test_a_name_outranks_a_description_word_which_outranks_a_word_one_letter_off():
    names = [hit.name for hit in find(CATALOG, "duckdb", Query("disputes"))]
    assert names == ["card_disputes", "returns_processing:decoy_ratio", "card_disputes:chargeback_rate"]


def test_words_that_match_nothing_find_nothing():
    assert find(CATALOG, "duckdb", Query("zeppelin")) == []
    # with a word that matches nothing, the documents matching the others still come
    assert find(CATALOG, "duckdb", Query("chargeback zeppelin"))[0].name == "card_disputes:chargeback_rate"


def test_filters_narrow_by_owner_tag_and_kind():
    risk = find(CATALOG, "duckdb", Query(owner="risk"))
    assert {hit.name for hit in risk} == {"card_payments", "card_disputes", "card_disputes:chargeback_rate",
                                          "card_disputes:cardholder_name", "fraud_model"}
    gold_risk = find(CATALOG, "duckdb", Query("card", tags={"tier": "gold", "team": None}))
    assert {hit.name for hit in gold_risk} == {"card_disputes", "card_disputes:chargeback_rate",
                                               "card_disputes:cardholder_name"}
    services = find(CATALOG, "duckdb", Query("fraud", kind="service"))
    assert [hit.kind for hit in services] == ["service"]
    every_view = find(CATALOG, "duckdb", Query(kind="view"))
    assert len(every_view) == 120 and [hit.name for hit in every_view] == sorted(hit.name for hit in every_view)


def test_hits_say_what_holds_personal_data():
    hits = {hit.name: hit for hit in find(CATALOG, "snowflake", Query(owner="risk"))}
    assert hits["card_disputes:cardholder_name"].pii and hits["card_disputes"].pii and hits["fraud_model"].pii
    assert hits["card_payments"].pii and not hits["card_disputes:chargeback_rate"].pii
    assert hits["card_disputes:chargeback_rate"].to_dict()["description"].startswith("Share of card payments")


def test_a_search_over_the_catalog_is_quick():
    start = time.perf_counter()
    for text in ("chargebak", "refund latncy", "hours refund paid", "weekly rolling share"):
        find(CATALOG, "duckdb", Query(text))
    assert time.perf_counter() - start < 2.0  # about 0.05 s each on a laptop


def test_an_unknown_kind_is_refused():
    with pytest.raises(RequestError, match="kind 'table' is not one of view, on demand view, feature, service, source, entity"):
        Query(kind="table")


@pytest.mark.parametrize(("asked", "word", "score"), [
    ("amount", "amount", 1.0), ("amou", "amount", 0.85), ("orders", "order", 0.8),
    ("amont", "amount", 0.75), ("amuont", "amount", 0.75), ("dispted", "disputed", 0.75),
    ("chargbak", "chargeback", 0.6), ("am", "amount", 0), ("country", "count", 0), ("cat", "car", 0),
])
def test_word_match_scores(asked, word, score):
    assert match(asked, word) == score


def test_edit_distance_counts_a_swap_as_one_edit():
    assert edit_distance("ab", "ba", 2) == 1
    assert edit_distance("abcdef", "badcfe", 5) == 3
    assert edit_distance("short", "muchlongerword", 2) == 3  # stops counting past the limit
