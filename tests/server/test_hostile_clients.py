"""Clients that stall or send pathological JSON get a 4xx at once or by a deadline, never a 500,
and never hold a connection for ever."""

from __future__ import annotations

import socket
import time

import pytest

from tests.server.live import BODY_TIMEOUT, HOST
from tests.server.nesting import KINDS, MAX_DEPTH, PLACES, document_depth, names_the_field, nested_body

MARGIN = 0.5  # for a busy 2-core machine
HEAD = (b"POST /v1/online-features HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 60\r\n\r\n")
PART = b'{"feature_service": "churn", "entit'


@pytest.mark.parametrize("depth", [255, 600, 1000])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("template", "field"), PLACES, ids=[field for _, field in PLACES])
def test_deeply_nested_json_is_400_naming_the_field(open_server, template, field, kind, depth):
    assert document_depth(template, depth) <= MAX_DEPTH
    response = open_server.post(nested_body(template, depth, kind))
    assert response.status_code == 400, response.text[:300]
    assert names_the_field(response.json()["error"]["field"], field, kind), response.text[:300]


def test_json_deeper_than_the_parser_reads_is_400_for_the_body(open_server):
    response = open_server.post(nested_body(PLACES[0][0], MAX_DEPTH, "array"))
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "body"
    assert "malformed JSON" in response.json()["error"]["message"]


def test_a_stalled_body_is_408_and_the_connection_closed(open_server):
    with socket.create_connection((HOST, open_server.port)) as connection:
        connection.sendall(HEAD + PART)  # 60 bytes announced, fewer sent
        started = time.monotonic()
        answer = _until_closed(connection, BODY_TIMEOUT + MARGIN)
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert BODY_TIMEOUT - 0.05 <= waited < BODY_TIMEOUT + MARGIN
    assert b"connection: close" in answer.lower()
    assert b'"field":"body"' in answer and b"server.body_timeout" in answer


def test_a_body_trickled_byte_by_byte_is_cut_at_the_deadline(open_server):
    with socket.create_connection((HOST, open_server.port)) as connection:
        connection.sendall(HEAD)
        started = time.monotonic()
        for byte in PART[:int(BODY_TIMEOUT / 0.05) + 4]:  # one byte every 50 ms, past the deadline
            try:
                connection.sendall(bytes([byte]))
            except OSError:
                break  # the server closed the connection
            time.sleep(0.05)
        answer = _until_closed(connection, BODY_TIMEOUT + MARGIN)
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert waited < BODY_TIMEOUT + 0.05 * 4 + MARGIN


def test_many_stalled_bodies_are_all_let_go_while_others_are_served(open_server):
    stalled = [socket.create_connection((HOST, open_server.port)) for _ in range(100)]
    try:
        for connection in stalled:
            connection.sendall(HEAD + PART)
        started = time.monotonic()
        served = open_server.post({"feature_service": "churn", "entities": {"customer_id": [1]}})
        assert served.status_code == 200 and time.monotonic() - started < 0.5
        answers = [_until_closed(connection, BODY_TIMEOUT + MARGIN - (time.monotonic() - started))
                   for connection in stalled]
        assert time.monotonic() - started < BODY_TIMEOUT + MARGIN
    finally:
        for connection in stalled:
            connection.close()
    assert all(answer.startswith(b"HTTP/1.1 408") for answer in answers)


def _until_closed(connection: socket.socket, seconds: float) -> bytes:
    """Everything the server sends until it closes the connection; socket.timeout after ``seconds``."""
    connection.settimeout(max(seconds, 0.01))
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received
