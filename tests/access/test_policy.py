"""The access: section: validated with errors naming the role, principal and key; what each grant
lets a role read (views, services, single features, "*"); how a masked feature is masked."""

from __future__ import annotations

import pytest

from virtualfs import ConfigError, Entity, Feature, FeatureService, FeatureView, Source
from virtualfs.access.masking import HASH, NULL, mask_method, mask_value
from virtualfs.config import parse_config
from virtualfs.definitions import DType
from virtualfs.policy import ALL, parse_access, readable
from virtualfs.registry import Registry

BASE = {"project": "rides"}
ROLES = {"intern": {"offline": ["driver_quality"], "pii": "masked"}}


@pytest.mark.parametrize(("access", "message"), [
    ("everyone", "access must be a mapping with roles and principals"),
    ({"roles": ROLES, "principals": {"ivan": "intern"}, "groups": {}}, "access: unknown key 'groups'"),
    ({"principals": {"ivan": "intern"}}, "access.roles must be a non-empty mapping"),
    ({"roles": {"intern": {"offline": ["v"], "masked": True}}, "principals": {"ivan": "intern"}},
     "access.roles.intern: unknown key 'masked'; expected one of apply, datasets, offline, online, pii, push, refresh"),
    ({"roles": {"intern": {"pii": "hidden"}}, "principals": {"ivan": "intern"}},
     "access.roles.intern.pii must be one of clear, masked, denied, got 'hidden'"),
    ({"roles": {"intern": {"apply": "yes"}}, "principals": {"ivan": "intern"}},
     "access.roles.intern.apply must be true or false"),
    ({"roles": {"intern": {"offline": "driver_quality"}}, "principals": {"ivan": "intern"}},
     "access.roles.intern.offline must be a list"),
    ({"roles": {"intern": {"online": ["a b"]}}, "principals": {"ivan": "intern"}},
     "access.roles.intern.online: 'a b' is not a view, service or view:feature reference"),
    ({"roles": {"in-tern": {}}, "principals": {"ivan": "in-tern"}}, "role name 'in-tern' must be an identifier"),
    ({"roles": ROLES}, "access.principals must be a non-empty mapping"),
    ({"roles": ROLES, "principals": {"ivan": "analyst"}},
     "access.principals.ivan: role 'analyst' is not one of access.roles \\(intern\\)"),
    ({"roles": ROLES, "principals": {"a b": "intern"}}, "access.principals: 'a b' is not a principal name"),
])
def test_a_bad_access_section_names_what_is_wrong(tmp_path, access, message):
    with pytest.raises(ConfigError, match=message):
        parse_config({**BASE, "access": access}, tmp_path)


def test_without_an_access_section_there_is_no_policy(tmp_path):
    assert parse_config(BASE, tmp_path).access is None


driver = Entity("driver", ["driver_id"])
source = Source("rides", table="rides", timestamp="ride_at")
quality = FeatureView("driver_quality", [driver], source, [Feature("rating", "float64"), Feature("phone", "string")])
trips = FeatureView("trips", [driver], source, [Feature("trips", "int64")])
REGISTRY = Registry.from_objects([quality, trips, FeatureService("model", ["driver_quality:rating", "trips:trips"])])


@pytest.mark.parametrize(("grants", "expected"), [
    (["driver_quality"], {"driver_quality:rating", "driver_quality:phone"}),
    (["model"], {"driver_quality:rating", "trips:trips"}),
    (["driver_quality:phone"], {"driver_quality:phone"}),
    (["trips:*"], {"trips:trips"}),
    (["no_such_view", "no_such_view:x"], set()),
])
def test_what_a_grant_lets_a_role_read(grants, expected):
    policy = parse_access({"roles": {"r": {"offline": grants}}, "principals": {"p": "r"}})
    assert readable(policy.roles["r"], "offline", REGISTRY) == expected
    assert readable(policy.roles["r"], "online", REGISTRY) == set()
    assert policy.unknown_names(REGISTRY) == [f"access.roles.r.offline: {g}" for g in grants
                                              if g.startswith("no_such")]


def test_a_star_reads_everything():
    policy = parse_access({"roles": {"r": {"online": ["*"]}}, "principals": {"p": "r"}})
    assert readable(policy.roles["r"], "online", REGISTRY) is ALL


@pytest.mark.parametrize(("pii", "masked"), [("clear", set()), ("masked", {"driver_quality:phone"})])
def test_pii_is_masked_or_read_as_the_role_says(pii, masked):
    policy = parse_access({"roles": {"r": {"offline": ["driver_quality"], "pii": pii}}, "principals": {"p": "r"}})
    refs = ["driver_quality:rating", "driver_quality:phone"]
    assert policy.check_read("p", "offline", REGISTRY, refs, lambda: {"driver_quality:phone"}) == masked


@pytest.mark.parametrize(("dtype", "name", "method"), [
    (DType.STRING, "phone", HASH), (DType.INT64, "rider_id", HASH), (DType.INT64, "trips", NULL),
    (DType.FLOAT64, "tip", NULL), (DType.BOOL, "vip", NULL), (DType.TIMESTAMP, "born", NULL),
])
def test_strings_and_keys_hash_everything_else_is_null(dtype, name, method):
    assert mask_method(dtype, name, frozenset({"rider_id"})) == method


def test_a_hash_is_the_sha256_of_the_text_and_null_stays_null():
    assert mask_value(77, HASH) == "a88a7902cb4ef697ba0b6759c50e8c10297ff58f942243de19b984841bfe1f73"  # echo -n 77 | sha256sum
    assert mask_value(77, HASH) == mask_value("77", HASH)
    assert mask_value(None, HASH) is None and mask_value(3.5, NULL) is None
