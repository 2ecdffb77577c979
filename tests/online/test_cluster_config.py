"""``online: {type: redis, cluster: true, nodes: [...]}``: what the config accepts and what it refuses."""

from __future__ import annotations

import pytest

from virtualfs.config import parse_config
from virtualfs.errors import ConfigError
from virtualfs.online import open_online_store


def online(**section) -> dict:
    return {"project": "shop", "online": {"type": "redis", **section}}


@pytest.mark.parametrize(("section", "message"), [
    ({"cluster": True}, r"online.nodes: cluster: true needs a list of host:port, e.g. .*got None"),
    ({"cluster": True, "nodes": []}, "online.nodes: cluster: true needs a list of host:port"),
    ({"cluster": True, "nodes": "10.0.0.1:7001"}, "online.nodes: cluster: true needs a list of host:port"),
    ({"cluster": True, "nodes": ["10.0.0.1"]}, r"online.nodes\[0\]: expected host:port .*got '10.0.0.1'"),
    ({"cluster": True, "nodes": ["a:7001", ":7002"]}, r"online.nodes\[1\]: expected host:port"),
    ({"cluster": True, "nodes": ["a:70001"]}, r"online.nodes\[0\]: expected host:port with a port from 1 to 65535"),
    ({"cluster": True, "nodes": ["a:port"]}, r"online.nodes\[0\]: expected host:port"),
    ({"cluster": True, "nodes": [7001]}, r"online.nodes\[0\]: expected a string host:port, got 7001"),
    ({"cluster": "yes", "nodes": ["a:7001"]}, "online.cluster must be true or false, got 'yes'"),
    ({"nodes": ["a:7001"]}, "online.nodes is for a Redis Cluster: add cluster: true"),
    ({"cluster": True, "nodes": ["a:7001"], "url": "redis://a:7001/0"}, "online.url is for one Redis; a cluster"),
    ({"cluster": True, "nodez": ["a:7001"]}, "unknown key 'nodez'"),
])
def test_a_bad_cluster_section_is_refused_naming_the_field(tmp_path, section, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(online(**section), tmp_path)


def test_a_cluster_section_opens_the_cluster_store_without_connecting(tmp_path, monkeypatch):
    monkeypatch.setenv("VFS_TEST_NODE", "10.0.0.3:7003")
    raw = online(cluster=True, nodes=["10.0.0.1:7001", "[::1]:7002", "${VFS_TEST_NODE}"], password="pw")
    store = open_online_store(parse_config(raw, tmp_path).online, "shop")
    assert type(store).__name__ == "RedisClusterOnlineStore"
    assert store.nodes == (("10.0.0.1", 7001), ("::1", 7002), ("10.0.0.3", 7003))
    assert store.address == "redis cluster 10.0.0.1:7001,::1:7002,10.0.0.3:7003"


def test_an_unset_variable_in_nodes_fails_when_the_section_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("VFS_UNSET_NODE", raising=False)
    config = parse_config(online(cluster=True, nodes=["a:7001", "${VFS_UNSET_NODE}"]), tmp_path)
    with pytest.raises(ConfigError, match=r"online.nodes\[1\]: environment variable VFS_UNSET_NODE is not set"):
        config.online  # noqa: B018


@pytest.mark.parametrize("section", [{}, {"cluster": False}, {"url": "redis://a:6379/0", "cluster": False}])
def test_without_cluster_it_is_the_single_node_store(tmp_path, section):
    store = open_online_store(parse_config(online(**section), tmp_path).online, "shop")
    assert type(store).__name__ == "RedisOnlineStore"
