"""The domain's rules: passwords, emails, roles, tokens, sessions."""

from datetime import UTC, datetime, timedelta

import pytest

from service_kit.errors import InvalidInput
from services.api_gateway.common_passwords import COMMON_PASSWORDS
from services.api_gateway.domain import (
    Forbidden,
    Principal,
    SessionPolicy,
    User,
    check_email,
    check_password,
    check_role,
    hash_token,
    new_token,
    open_session,
    require_role,
    same_token,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)
POLICY = SessionPolicy(
    idle_seconds=600, absolute_seconds=3600, touch_seconds=60, judge_absolute_seconds=1800
)


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "elevenchars",
        "Password1234",
        "QWERTYUIOP123",
        "123456789012",
        "aaaaaaaaaaaaaa",
        "teacher@school.se",
    ],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(InvalidInput):
        check_password(password, "teacher@school.se")


def test_a_long_uncommon_password_passes():
    check_password("korrekt häst batteri häftklammer", "teacher@school.se")


def test_the_common_list_is_lower_case_and_has_12_plus_entries():
    assert all(p == p.lower() for p in COMMON_PASSWORDS)
    assert sum(len(p) >= 12 for p in COMMON_PASSWORDS) > 100


def test_emails_are_lower_cased_and_checked():
    assert check_email("  Anna.Larsson@Skolan.SE ") == "anna.larsson@skolan.se"
    for bad in ["anna", "anna@", "@skolan.se", "anna@skolan", "an na@skolan.se"]:
        with pytest.raises(InvalidInput):
            check_email(bad)


def test_roles():
    assert check_role("teacher") == "teacher"
    with pytest.raises(InvalidInput):
        check_role("root")


def test_tokens_are_256_bit_and_only_their_hash_is_kept():
    token = new_token()
    assert len(token) >= 43 and token != new_token()
    assert len(hash_token(token)) == 64 and token not in hash_token(token)
    assert same_token(token, hash_token(token)) and not same_token(token + "x", hash_token(token))


def test_require_role():
    import uuid

    teacher = Principal(uuid.uuid4(), "user", "teacher", "t@s.se", "session")
    admin = Principal(uuid.uuid4(), "user", "admin", "a@s.se", "session")
    judge = Principal(uuid.uuid4(), "judge", None, None, "judge_session", "b1")
    require_role(admin, "admin")
    require_role(admin, "teacher")
    require_role(teacher, "teacher")
    with pytest.raises(Forbidden):
        require_role(teacher, "admin")
    with pytest.raises(Forbidden):
        require_role(judge, "teacher")


def test_session_idle_and_absolute_expiry():
    import uuid

    user = User(uuid.uuid4(), "t@s.se", None, "teacher", "h", False, NOW, NOW)
    session = open_session(NOW, POLICY, user=user).session
    assert session.live_at(NOW + timedelta(seconds=599), POLICY.idle_seconds)
    assert not session.live_at(NOW + timedelta(seconds=600), POLICY.idle_seconds)
    session.last_seen_at = NOW + timedelta(seconds=3500)
    assert session.live_at(NOW + timedelta(seconds=3599), POLICY.idle_seconds)
    assert not session.live_at(NOW + timedelta(seconds=3600), POLICY.idle_seconds)
