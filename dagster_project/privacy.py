"""The secret key of the contact hashes (emails, phones and document numbers in the marts).

The marts carry ``HMAC-SHA256(key, value)`` of each contact identifier (dbt macro ``pii_hash``),
never the value. Phone numbers and document numbers are few enough to enumerate (10^7 phone
numbers hash in seconds), so a hash protects them only while its key is secret: the key is
never in the repository. It is ``$VECTOR_CRM_PII_SECRET`` when set, else the file
``<data dir>/secrets/pii_secret``, generated on the first run (32 random bytes as 64 hex
digits, readable by its owner only). Keep it with the data: the same key gives the same hash,
so a lost key means the next build's hashes differ from the ones BI tools saw before.

A run whose warehouse already holds hashes but whose key is gone (the file deleted, the
variable unset) fails with a message, instead of silently hashing with a new key; on the
generator's demo data it warns and makes a new key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from .settings import Paths

PII_SECRET_ENV = "VECTOR_CRM_PII_SECRET"
KEY_TEXT = re.compile(r"^[0-9a-f]{64}$")


class SecretMissing(RuntimeError):
    pass


def secret_path(paths: Paths) -> Path:
    return paths.data_dir / "secrets" / "pii_secret"


def _checked(key: str, where: str) -> str:
    key = key.strip().lower()
    if not KEY_TEXT.match(key):
        raise SecretMissing(
            f"{where} must be 64 hex digits (32 random bytes), e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    return key


def ensure_pii_secret(paths: Paths, say: Callable[[str], None] = print) -> str:
    """The key (see the module docstring), exported to the environment so that dbt reads it."""
    if os.environ.get(PII_SECRET_ENV):
        return _checked(os.environ[PII_SECRET_ENV], f"${PII_SECRET_ENV}")
    path = secret_path(paths)
    if path.exists():
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
            say(f"{path} was readable by others: made owner-only")
        key = _checked(path.read_text(), str(path))
    else:
        if paths.warehouse.exists():
            message = (
                f"the warehouse {paths.warehouse} holds contact hashes made with a secret key that is gone "
                f"(no {path}, no ${PII_SECRET_ENV}): restore the file or set the variable; to start over "
                f"with a new key (every hash changes), delete the warehouse and the serving folder"
            )
            if not paths.ground_truth.exists():
                raise SecretMissing(message)
            say(f"demo data: {message.split(': restore')[0]}; a new key is made, so every contact hash changes")
        key = secrets.token_hex(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key + "\n")
        say(f"made a secret key for the contact hashes at {path} (owner-only); keep it with the data")
    os.environ[PII_SECRET_ENV] = key
    return key


def pii_hash(key: str, value: str) -> str:
    """What dbt's pii_hash computes, in Python: HMAC-SHA256 keyed with the key's 32 bytes."""
    return hmac.new(bytes.fromhex(key), value.encode("utf-8"), hashlib.sha256).hexdigest()
