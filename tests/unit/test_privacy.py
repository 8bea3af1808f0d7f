"""The contact hashes' secret key: made on the first run (owner-only), the same afterwards,
never silently replaced; and pii_hash in dbt is HMAC-SHA256 under it."""

from __future__ import annotations

import hashlib
import hmac
import stat
import subprocess

import pytest

from dagster_project.privacy import PII_SECRET_ENV, SecretMissing, ensure_pii_secret, pii_hash, secret_path
from dagster_project.settings import DBT_PROJECT_DIR
from tests.helpers import dbt_executable


def test_the_first_run_makes_an_owner_only_key_and_later_runs_reuse_it(paths, monkeypatch):
    monkeypatch.delenv(PII_SECRET_ENV, raising=False)
    said = []
    key = ensure_pii_secret(paths, say=said.append)
    path = secret_path(paths)
    assert len(key) == 64 and int(key, 16) >= 0 and path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert said == [f"made a secret key for the contact hashes at {path} (owner-only); keep it with the data"]
    monkeypatch.delenv(PII_SECRET_ENV)
    path.chmod(0o644)
    assert ensure_pii_secret(paths, say=said.append) == key  # the same key, made private again
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "readable by others" in said[-1]
    monkeypatch.setenv(PII_SECRET_ENV, "AB" * 32)  # the variable wins
    assert ensure_pii_secret(paths) == "ab" * 32


def test_a_lost_key_stops_the_run_unless_the_data_is_the_demo(paths, monkeypatch):
    monkeypatch.delenv(PII_SECRET_ENV, raising=False)
    paths.warehouse.write_bytes(b"")  # hashes were made before, with a key that is gone
    with pytest.raises(SecretMissing, match="holds contact hashes made with a secret key that is gone"):
        ensure_pii_secret(paths)
    assert not secret_path(paths).exists()
    paths.ground_truth.mkdir()  # the generator's demo data
    said = []
    assert len(ensure_pii_secret(paths, say=said.append)) == 64
    assert said[0].startswith("demo data: ") and "every contact hash changes" in said[0]


def test_a_key_that_is_not_64_hex_digits_is_refused(paths, monkeypatch):
    monkeypatch.setenv(PII_SECRET_ENV, "vector-crm-demo-salt")
    with pytest.raises(SecretMissing, match="must be 64 hex digits"):
        ensure_pii_secret(paths)


def test_dbt_pii_hash_is_hmac_sha256_under_the_key(tmp_path, monkeypatch):
    """The macro's SQL, run by DuckDB, against Python's hmac module on the same key."""
    key = "0f" * 32
    monkeypatch.setenv(PII_SECRET_ENV, key)
    values = ["ana.gomez@example.com", "573001234567", "Ñandú 52.345.678"]
    sql = " union all ".join(f"select {i} as i, {{{{ pii_hash(\"'{v}'\") }}}} as h" for i, v in enumerate(values))
    out = subprocess.run(
        [
            dbt_executable(),
            "show",
            "--inline",
            sql + " order by i",
            "--output",
            "json",
            "--log-format",
            "text",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=DBT_PROJECT_DIR,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr
    expected = [hmac.new(bytes.fromhex(key), v.encode(), hashlib.sha256).hexdigest() for v in values]
    assert [pii_hash(key, v) for v in values] == expected
    for h in expected:
        assert h in out.stdout
