"""The UI under the repository's tokens and access policy: the API's authentication, a principal
sees only what it may read, PII labelled, a masked principal sees no values of it, and what a
principal may not read is a 403."""

from __future__ import annotations

import pytest

from tests.ui.shop import ADA, CUSTOMERS, IAN, MIA
from tests.ui.test_pages import text_of


def as_(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_without_a_token_the_page_asks_to_sign_in(guarded_client):
    page = guarded_client.get("/ui")
    assert page.status_code == 401 and 'action="/ui/login"' in page.text
    assert "error-message" not in page.text  # nothing was sent: nothing went wrong yet
    data = guarded_client.get("/ui/api")
    assert data.status_code == 401 and data.headers["www-authenticate"].startswith("Bearer")
    assert guarded_client.get("/ui/api", headers=as_("not-a-valid-token-at-all")).status_code == 401


def test_signing_in_keeps_the_token_in_an_http_only_cookie(guarded_client):
    refused = guarded_client.post("/ui/login", data={"token": "wrong-token-0123456789"})
    assert refused.status_code == 401 and "invalid token" in refused.text
    signed = guarded_client.post("/ui/login", data={"token": MIA, "next": "/ui/views/customer_orders"},
                                 follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/ui/views/customer_orders"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert guarded_client.get("/ui/views/customer_orders").status_code == 200
    guarded_client.get("/ui/logout")
    guarded_client.cookies.clear()
    assert guarded_client.get("/ui").status_code == 401


def test_login_never_redirects_off_the_site(guarded_client):
    signed = guarded_client.post("/ui/login", data={"token": ADA, "next": "https://elsewhere.example/"},
                                 follow_redirects=False)
    assert signed.headers["location"] == "/ui"
    guarded_client.cookies.clear()


def test_the_admin_sees_everything_with_values(guarded_client):
    data = guarded_client.get("/ui/api/features/customer_profile:email", headers=as_(ADA)).json()
    assert data["pii"] is True and "profile" in data["statistics"]
    assert guarded_client.get("/ui/api/audit", headers=as_(ADA)).status_code == 200


def test_a_masked_principal_sees_the_pii_label_and_no_values(guarded_client):
    data = guarded_client.get("/ui/api/features/customer_profile:email", headers=as_(MIA)).json()
    assert data["pii"] is True and data["statistics"]["masked"] is True
    assert "profile" not in data["statistics"] and "numbers" not in data["statistics"]
    page = guarded_client.get("/ui/features/customer_profile:email", headers=as_(MIA)).text
    assert 'class="pii"' in page and "<rect" not in page.split("Lineage")[0]
    assert not any(email in page for _, email, _, _ in CUSTOMERS)
    # the dataset holds the PII country: labelled, its statistics left out; the others shown
    dataset = guarded_client.get("/ui/api/datasets/churn_train", headers=as_(MIA)).json()
    by_column = {p["column"]: p for p in dataset["profile"] if "column" in p}
    assert by_column["country"].get("masked") is True and "numbers" in by_column["amount"]
    dataset_page = text_of(guarded_client.get("/ui/datasets/churn_train", headers=as_(MIA)).text)
    assert not any(country in dataset_page.split() for country in ("DE", "FR", "US"))


def test_a_masked_principal_sees_no_check_observations(guarded_client):
    data = guarded_client.get("/ui/api/views/customer_orders", headers=as_(MIA)).json()
    assert {r["observed"] for r in data["checks"]["last_run"]["results"]} == {None}
    admin = guarded_client.get("/ui/api/views/customer_orders", headers=as_(ADA)).json()
    assert None not in {r["observed"] for r in admin["checks"]["last_run"]["results"]}


@pytest.mark.parametrize("path", ["/ui/views/customer_profile", "/ui/features/customer_profile:email",
                                  "/ui/features/customer_profile:country", "/ui/services/churn",
                                  "/ui/datasets/churn_train", "/ui/lineage/customer_profile:email",
                                  "/ui/sources/customer_profiles", "/ui/audit", "/ui/on-demand/contact_check",
                                  "/ui/features/contact_check:has_email"])
def test_a_refused_principal_gets_403(guarded_client, path):
    assert guarded_client.get(path, headers=as_(IAN)).status_code == 403
    assert guarded_client.get(path.replace("/ui", "/ui/api", 1), headers=as_(IAN)).status_code == 403


def test_a_refused_principal_cannot_tell_unknown_names_from_refused_ones(guarded_client):
    unknown = guarded_client.get("/ui/api/views/no_such_view", headers=as_(IAN))
    refused = guarded_client.get("/ui/api/views/customer_profile", headers=as_(IAN))
    assert unknown.status_code == refused.status_code == 403


def test_a_restricted_principal_sees_only_what_it_may_read(guarded_client):
    home = guarded_client.get("/ui/api", headers=as_(IAN)).json()
    assert home["counts"]["views"] == 1 and home["counts"]["services"] == 0
    hits = guarded_client.get("/ui/api/search", params={"q": "customer"}, headers=as_(IAN)).json()["hits"]
    assert hits and all(not h["name"].startswith("customer_profile") for h in hits)
    lineage = guarded_client.get("/ui/api/lineage/customers.email", headers=as_(IAN)).json()
    assert lineage["edges"] == [] and lineage["downstream"] == []
    assert "customer_profile:email" not in lineage["kinds"]
    # amount is ian's to read, but the service and the dataset holding it also hold PII he may not
    amount = guarded_client.get("/ui/api/features/customer_orders:amount", headers=as_(IAN)).json()
    assert amount["lineage"]["downstream"] == ["online/sqlite"]
    admin = guarded_client.get("/ui/api/features/customer_orders:amount", headers=as_(ADA)).json()
    assert admin["lineage"]["downstream"] == ["dataset/churn_train", "online/sqlite", "service/churn"]
    assert guarded_client.get("/ui/views/customer_orders", headers=as_(IAN)).status_code == 200


def test_refusals_are_in_the_audit_log(guarded_client):
    guarded_client.get("/ui/views/customer_profile", headers=as_(IAN))
    entries = guarded_client.get("/ui/api/audit", headers=as_(ADA)).json()["entries"]
    assert any(e["principal"] == "ian" and e["action"] == "read.ui" and e["outcome"] == "denied"
               and e["target"] == "/ui/views/customer_profile" for e in entries)
