"""A contract's documents and photos: each kind handed in by the roles that produce it,
refused when its bytes are not JPEG, PNG or PDF whatever its name, read back within the
contract's scope with the SHA-256 it was stored with, never overwritten."""

import base64
import hashlib
import zlib
from typing import Any

from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.main import create_app
from tests.conftest import (
    ADMIN,
    ANALYST,
    COLLECTOR,
    CS,
    DATABASE_URL,
    DEALER,
    DOCUMENT_DIR,
    FINANCE,
    INTEGRATION,
    SALESMAN,
    SURVEYOR,
    auth,
    row_counts,
    submit,
)
from tests.test_applications import survey_result


def png(seed: int = 0) -> bytes:
    """A real 1x1 PNG (its pixel from ``seed``), written here without the app."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    pixel = zlib.compress(bytes([0, seed % 256, 0, 0]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    )


def jpeg(seed: int = 0) -> bytes:
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + bytes([seed % 256]) * 64
        + b"\xff\xd9"
    )


def pdf(text: str = "Kontrak") -> bytes:
    body = f"1 0 obj << /Title ({text}) >> endobj\ntrailer << /Root 1 0 R >>\n"
    return f"%PDF-1.4\n{body}%%EOF\n".encode()


# Each kind, one role that produces it, and a file of a type it comes in.
PRODUCED: dict[str, tuple[dict[str, str], str, bytes]] = {
    "ktp": (DEALER, "ktp.jpg", jpeg(1)),
    "kk": (CS, "kk.pdf", pdf("KK")),
    "npwp": (CS, "npwp.png", png(2)),
    "pay_slip": (SURVEYOR, "slip.pdf", pdf("Slip gaji")),
    "residence_photo": (SURVEYOR, "rumah.jpg", jpeg(3)),
    "vehicle_photo": (DEALER, "motor.png", png(4)),
    "bast": (DEALER, "bast.pdf", pdf("BAST")),
    "dealer_invoice": (DEALER, "invoice.pdf", pdf("Faktur")),
    "fiduciary_certificate": (FINANCE, "fidusia.pdf", pdf("Sertifikat fidusia")),
    "signed_contract": (CS, "kontrak.pdf", pdf("Kontrak ditandatangani")),
}
PERSONAL = {"ktp", "kk", "npwp", "pay_slip", "residence_photo"}


def upload(
    client: TestClient, number: str, kind: str, headers: dict[str, str], name: str, data: bytes,
    media_type: str = "application/octet-stream",
) -> Any:  # fmt: skip
    return client.post(
        f"/v1/contracts/{number}/documents",
        data={"kind": kind},
        files={"file": (name, data, media_type)},
        headers=headers,
    )


def test_each_kind_from_its_role_read_back_with_its_sha256(client: TestClient):
    number = submit(client)
    for kind, (headers, name, data) in PRODUCED.items():
        made = upload(client, number, kind, headers, name, data)
        assert made.status_code == 201, (kind, made.text)
        body = made.json()
        assert body["sha256"] == hashlib.sha256(data).hexdigest()
        assert (body["kind"], body["version"], body["size"]) == (kind, 1, len(data))
        assert made.headers["Location"] == f"/v1/contracts/{number}/documents/{body['id']}"
        media = {b"\xff\xd8": "image/jpeg", b"\x89P": "image/png", b"%P": "application/pdf"}
        assert body["media_type"] == media[data[:2]]
        back = client.get(made.headers["Location"], headers=CS)
        assert back.status_code == 200, back.text
        assert back.content == data
        assert back.headers["content-type"] == body["media_type"]
        expected = base64.b64encode(hashlib.sha256(data).digest()).decode()
        assert back.headers["Repr-Digest"] == f"sha-256=:{expected}:"
        assert hashlib.sha256(back.content).hexdigest() == body["sha256"]
        # Kept by its digest in the folder the setting names.
        digest = body["sha256"]
        assert (DOCUMENT_DIR / digest[:2] / digest).read_bytes() == data

    listed = client.get(f"/v1/contracts/{number}/documents", headers=CS).json()["items"]
    assert sorted(d["kind"] for d in listed) == sorted(PRODUCED)
    # Each upload is in the contract's log.
    events = client.get(f"/v1/contracts/{number}/events", headers=CS).json()
    assert sum(e["action"] == "document_added" for e in events) == len(PRODUCED)


def test_a_renamed_executable_or_an_empty_file_is_refused(client: TestClient, database):
    number = submit(client)
    before = row_counts(database)
    windows = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(64)
    linux = b"\x7fELF\x02\x01\x01\x00" + bytes(64)
    for name, data, media_type in (
        ("ktp.jpg", windows, "image/jpeg"),
        ("ktp.pdf", linux, "application/pdf"),
        ("ktp.png", b"", "image/png"),
        ("ktp.png", b"GIF89a" + bytes(20), "image/png"),
    ):
        refused = upload(client, number, "ktp", CS, name, data, media_type)
        assert refused.status_code == 422, (name, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["field"] == "file"
        assert refused.json()["errors"][0]["rule"] == "file_type"
    unknown_kind = upload(client, number, "passport", CS, "p.pdf", pdf())
    assert unknown_kind.status_code == 422
    assert unknown_kind.json()["errors"][0]["field"] == "kind"
    assert row_counts(database) == before


def test_the_wrong_role_is_refused_and_another_scope_is_not_found(client: TestClient, database):
    number = submit(client)
    before = row_counts(database)
    for kind, headers in (
        ("fiduciary_certificate", DEALER),  # finance's
        ("ktp", FINANCE),
        ("bast", CS),  # the dealer's
        ("residence_photo", CS),  # the surveyor's
        ("ktp", COLLECTOR),  # no document at all
        ("ktp", ANALYST),
        ("ktp", SALESMAN),
        ("ktp", ADMIN),
    ):
        refused = upload(client, number, kind, headers, "x.pdf", pdf())
        assert refused.status_code == 403, (kind, headers, refused.text)
    # Another dealer's or another branch's staff: the contract does not exist for them.
    for headers in (auth("dealer.priangan"), auth("cs.bdg.neng")):
        hidden = upload(client, number, "ktp", headers, "ktp.pdf", pdf())
        assert hidden.status_code == 404, hidden.text
    assert row_counts(database) == before

    made = upload(client, number, "signed_contract", CS, "k.pdf", pdf()).json()
    url = f"/v1/contracts/{number}/documents"
    for headers in (auth("dealer.priangan"), auth("cs.bdg.neng"), auth("sales.asep")):
        assert client.get(url, headers=headers).status_code == 404
        assert client.get(f"{url}/{made['id']}", headers=headers).status_code == 404
    assert client.get(url, headers=INTEGRATION).status_code == 403
    # A document of another contract is not found through this one.
    other = submit(client)
    assert (
        client.get(f"/v1/contracts/{other}/documents/{made['id']}", headers=CS).status_code == 404
    )


def test_personal_papers_are_not_shown_to_the_dealer_once_handed_in(client: TestClient):
    number = submit(client)
    ktp = upload(client, number, "ktp", DEALER, "ktp.jpg", jpeg()).json()
    bast = upload(client, number, "bast", DEALER, "bast.pdf", pdf()).json()
    url = f"/v1/contracts/{number}/documents"
    assert [d["kind"] for d in client.get(url, headers=DEALER).json()["items"]] == ["bast"]
    assert client.get(f"{url}/{ktp['id']}", headers=DEALER).status_code == 404
    assert client.get(f"{url}/{bast['id']}", headers=DEALER).status_code == 200
    # Branch staff who need the identity see it; finance and the salesman do not.
    assert client.get(f"{url}/{ktp['id']}", headers=CS).status_code == 200
    assert client.get(f"{url}/{ktp['id']}", headers=auth("auditor.yuni")).status_code == 200
    assert client.get(f"{url}/{ktp['id']}", headers=FINANCE).status_code == 404
    assert {d["kind"] for d in client.get(url, headers=CS).json()["items"]} == {"ktp", "bast"}


def test_nothing_is_overwritten_a_new_version_is_a_new_document(client: TestClient):
    number = submit(client)
    first = upload(client, number, "ktp", CS, "ktp.jpg", jpeg(1)).json()
    second = upload(client, number, "ktp", CS, "ktp.jpg", jpeg(2)).json()
    same_again = upload(client, number, "ktp", CS, "ktp-lagi.jpg", jpeg(1)).json()
    assert [first["version"], second["version"], same_again["version"]] == [1, 2, 3]
    assert len({first["id"], second["id"], same_again["id"]}) == 3
    assert same_again["sha256"] == first["sha256"] != second["sha256"]
    url = f"/v1/contracts/{number}/documents"
    assert client.get(f"{url}/{first['id']}", headers=CS).content == jpeg(1)
    assert client.get(f"{url}/{second['id']}", headers=CS).content == jpeg(2)


def test_the_name_sent_is_kept_for_display_only(client: TestClient):
    number = submit(client)
    made = upload(client, number, "ktp", CS, "C:\\Users\\x\\../ktp\x1b[31m.jpg", jpeg())
    assert made.status_code == 201, made.text
    assert made.json()["filename"] == "ktp[31m.jpg"
    unnamed = upload(client, number, "kk", CS, "\x1b", pdf())
    assert unnamed.json()["filename"] == "kk"


def test_an_idempotent_upload_is_done_once(client: TestClient, database):
    number = submit(client)
    key = {"Idempotency-Key": "upload-ktp-0001"}
    first = upload(client, number, "ktp", CS | key, "ktp.jpg", jpeg())
    again = upload(client, number, "ktp", CS | key, "ktp.jpg", jpeg())
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = upload(client, number, "ktp", CS | key, "ktp.jpg", jpeg(9))
    assert other.status_code == 422
    assert len(client.get(f"/v1/contracts/{number}/documents", headers=CS).json()["items"]) == 1


def test_the_size_limit_is_a_setting(database, tmp_path):
    small = create_app(
        Settings(
            database_url=DATABASE_URL,
            env="test",
            log_level="WARNING",
            document_dir=tmp_path,
            document_max_bytes=2048,
        )
    )
    with TestClient(small, raise_server_exceptions=False, headers={"Accept-Language": "en"}) as c:
        number = submit(c)
        assert (
            upload(c, number, "ktp", CS, "ktp.pdf", pdf() + bytes(2048 - len(pdf()))).status_code
            == 201
        )
        over = upload(c, number, "ktp", CS, "ktp.pdf", pdf() + bytes(2049 - len(pdf())))
        assert over.status_code == 413, over.text
        assert over.json()["errors"][0] == {
            "field": "file",
            "message": "A document is at most 2,048 bytes.",
            "rule": "max_size",
        }
        # Far over: refused by the body limit before the form is read.
        huge = upload(c, number, "ktp", CS, "ktp.pdf", pdf() + bytes(200_000))
        assert huge.status_code == 413
        # The JSON endpoints keep their own limit.
        json_headers = DEALER | {"Content-Type": "application/json"}
        big = c.post("/v1/contracts", content=b"{" + b" " * 2_000_000 + b"}", headers=json_headers)
        assert big.status_code == 413


def test_the_survey_checklist_links_each_collected_document_to_its_file(client: TestClient):
    number = submit(client)
    order = client.post(f"/v1/contracts/{number}/survey-order", json={}, headers=ANALYST).json()
    surveyor = auth(order["surveyor"])
    signed = upload(client, number, "signed_contract", surveyor, "kontrak.pdf", pdf()).json()
    other = upload(client, submit(client), "signed_contract", CS, "lain.pdf", pdf()).json()
    url = f"/v1/survey-orders/{order['id']}/result"
    documents = survey_result()["documents"]
    foreign = {"collected": True, "document_id": other["id"]}
    wrong = client.post(
        url, json=survey_result(documents=documents | {"contract": foreign}), headers=surveyor
    )
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["errors"][0]["field"] == "documents.contract.document_id"
    assert wrong.json()["errors"][0]["rule"] == "unknown_document"
    missing = {"collected": False, "remark": "Belum ada", "document_id": signed["id"]}
    refused = client.post(
        url, json=survey_result(documents=documents | {"receipt": missing}), headers=surveyor
    )
    assert refused.status_code == 422
    linked = {"collected": True, "document_id": signed["id"]}
    done = client.post(
        url, json=survey_result(documents=documents | {"contract": linked}), headers=surveyor
    )
    assert done.status_code == 200, done.text
    assert done.json()["result"]["documents"]["contract"]["document_id"] == signed["id"]
