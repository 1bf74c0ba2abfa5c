"""The identity use cases on memory storage."""

import dataclasses
from datetime import timedelta

import pytest

from service_kit.errors import InvalidInput, NotFound
from services.api_gateway.domain import (
    API_KEY_PREFIX,
    BAD_CREDENTIALS,
    AccountLocked,
    EmailTaken,
    Forbidden,
    Unauthenticated,
)
from services.api_gateway.tests.unit.harness import PASSWORD, Gateway
from services.api_gateway.use_cases import (
    AcceptInvitationCommand,
    AuthenticateCommand,
    ChangePasswordCommand,
    CreateApiKeyCommand,
    CreateUserCommand,
    ForgetClientIpsCommand,
    GetMeCommand,
    InviteJudgeCommand,
    ListApiKeysCommand,
    ListAuditEventsCommand,
    LogInCommand,
    LogOutCommand,
    RevokeApiKeyCommand,
    UpdateUserCommand,
)


@pytest.fixture
def gw() -> Gateway:
    return Gateway()


# ---- users --------------------------------------------------------------------------------


async def test_create_user_hashes_with_argon2id_and_audits(gw):
    user = await gw.user("teacher", "Anna@School.example")
    assert user.email == "anna@school.example"
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert gw.audit_kinds() == ["user.created"]
    event = next(iter(gw.store.audit.values()))
    assert PASSWORD not in repr(event)


async def test_emails_are_unique_whatever_their_case(gw):
    await gw.user("teacher", "anna@school.example")
    with pytest.raises(EmailTaken):
        await gw.user("admin", "ANNA@school.example")


async def test_only_an_admin_creates_users(gw):
    teacher = await gw.principal("teacher")
    with pytest.raises(Forbidden):
        await gw.create_user().execute(
            CreateUserCommand("x@school.example", PASSWORD, "admin", actor=teacher)
        )
    admin = await gw.principal("admin")
    made = await gw.create_user().execute(
        CreateUserCommand("x@school.example", PASSWORD, "teacher", "X", actor=admin)
    )
    assert made.display_name == "X"


async def test_weak_password_refused_at_creation(gw):
    with pytest.raises(InvalidInput):
        await gw.create_user().execute(
            CreateUserCommand("y@school.example", "password1234", "teacher")
        )


async def test_admin_disables_a_user_whose_sessions_and_keys_stop(gw):
    admin = await gw.principal("admin")
    user, opened = await _session(gw)
    key = await gw.create_api_key().execute(CreateApiKeyCommand(user.principal("session"), "k"))
    with pytest.raises(Forbidden):
        await gw.update_user().execute(
            UpdateUserCommand(user.principal("session"), user.id, disabled=True)
        )
    changed = await gw.update_user().execute(
        UpdateUserCommand(admin, user.id, role="admin", display_name=" Anna ", disabled=True)
    )
    assert (changed.role, changed.display_name, changed.disabled) == ("admin", "Anna", True)
    for command in [
        AuthenticateCommand("GET", session_token=opened.token),
        AuthenticateCommand("GET", bearer=key.secret),
    ]:
        with pytest.raises(Unauthenticated):
            await gw.authenticate().execute(command)
    with pytest.raises(Unauthenticated):
        await gw.log_in().execute(LogInCommand(user.email, PASSWORD))
    event = [e for e in gw.store.audit.values() if e.kind == "user.updated"][-1]
    assert event.details["changes"] == {"role": "admin", "display_name": "Anna", "disabled": True}
    await gw.update_user().execute(UpdateUserCommand(admin, user.id, disabled=False))
    await gw.log_in().execute(LogInCommand(user.email, PASSWORD))
    with pytest.raises(InvalidInput):
        await gw.update_user().execute(UpdateUserCommand(admin, admin.id, disabled=True))
    with pytest.raises(NotFound):
        await gw.update_user().execute(UpdateUserCommand(admin, admin.id.__class__(int=1)))


# ---- login, lockout -----------------------------------------------------------------------


async def test_login_opens_a_session_the_cookie_authenticates(gw):
    user = await gw.user()
    result = await gw.log_in().execute(LogInCommand(user.email.upper(), PASSWORD, "10.0.0.1"))
    token = result.new_session.token
    assert result.new_session.session.token_hash != token
    principal = await gw.authenticate().execute(AuthenticateCommand("GET", session_token=token))
    assert (principal.id, principal.via, principal.role) == (user.id, "session", "teacher")
    me = await gw.get_me().execute(GetMeCommand(principal))
    assert me.email == user.email
    assert gw.audit_kinds()[-1] == "login.succeeded"


async def test_unknown_email_wrong_password_and_disabled_get_the_same_error(gw):
    user = await gw.user()
    disabled = await gw.user()
    gw.store.users[disabled.id] = dataclasses.replace(disabled, disabled=True)
    errors = []
    for email, password in [
        ("nobody@school.example", PASSWORD),
        (user.email, "a wrong but long password"),
        (disabled.email, PASSWORD),
    ]:
        with pytest.raises(Unauthenticated) as caught:
            await gw.log_in().execute(LogInCommand(email, password))
        errors.append((caught.value.status, caught.value.detail, caught.value.extra))
    assert errors == [(401, BAD_CREDENTIALS, {})] * 3


@pytest.mark.parametrize("known", [True, False])
async def test_five_failures_lock_for_fifteen_minutes(gw, known):
    email = (await gw.user()).email if known else "ghost@school.example"
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            await gw.log_in().execute(LogInCommand(email, "a wrong but long password"))
    with pytest.raises(AccountLocked) as caught:  # the right password is refused meanwhile
        await gw.log_in().execute(LogInCommand(email, PASSWORD))
    assert caught.value.status == 423 and caught.value.extra["retry_after"] == 900
    assert "login.locked" in gw.audit_kinds()
    gw.clock.advance(minutes=15)
    if known:
        await gw.log_in().execute(LogInCommand(email, PASSWORD))
    else:
        with pytest.raises(Unauthenticated):
            await gw.log_in().execute(LogInCommand(email, PASSWORD))


async def test_a_login_rehashes_a_password_hashed_at_an_older_cost(gw):
    from services.api_gateway.passwords import Argon2idHasher

    user = await gw.user()
    gw.hasher = Argon2idHasher(time_cost=2, memory_kib=2048, parallelism=1)
    await gw.log_in().execute(LogInCommand(user.email, PASSWORD))
    rehashed = gw.store.users[user.id].password_hash
    assert rehashed != user.password_hash and "m=2048,t=2,p=1" in rehashed
    await gw.log_in().execute(LogInCommand(user.email, PASSWORD))
    assert gw.store.users[user.id].password_hash == rehashed


async def test_a_success_resets_the_failure_count(gw):
    user = await gw.user()
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            await gw.log_in().execute(LogInCommand(user.email, "a wrong but long password"))
    await gw.log_in().execute(LogInCommand(user.email, PASSWORD))
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            await gw.log_in().execute(LogInCommand(user.email, "a wrong but long password"))
    await gw.log_in().execute(LogInCommand(user.email, PASSWORD))


# ---- sessions -----------------------------------------------------------------------------


async def _session(gw):
    user = await gw.user()
    result = await gw.log_in().execute(LogInCommand(user.email, PASSWORD))
    return user, result.new_session


async def test_unsafe_methods_with_a_cookie_need_the_csrf_token(gw):
    _, opened = await _session(gw)
    with pytest.raises(Forbidden):
        await gw.authenticate().execute(AuthenticateCommand("POST", session_token=opened.token))
    with pytest.raises(Forbidden):
        await gw.authenticate().execute(
            AuthenticateCommand("DELETE", session_token=opened.token, csrf_token="forged")
        )
    await gw.authenticate().execute(
        AuthenticateCommand("POST", session_token=opened.token, csrf_token=opened.csrf_token)
    )


async def test_idle_and_absolute_expiry(gw):
    _, opened = await _session(gw)
    auth = AuthenticateCommand("GET", session_token=opened.token)
    for _ in range(11):  # used every 59 minutes: idle never runs out, the 12 hours do
        gw.clock.advance(minutes=59)
        await gw.authenticate().execute(auth)
    gw.clock.advance(minutes=60)
    with pytest.raises(Unauthenticated):
        await gw.authenticate().execute(auth)
    _, idle = await _session(gw)
    gw.clock.advance(minutes=61)
    with pytest.raises(Unauthenticated):
        await gw.authenticate().execute(AuthenticateCommand("GET", session_token=idle.token))


async def test_logout_kills_the_session(gw):
    _, opened = await _session(gw)
    auth = AuthenticateCommand("GET", session_token=opened.token)
    principal = await gw.authenticate().execute(auth)
    await gw.log_out().execute(LogOutCommand(principal, opened.token))
    with pytest.raises(Unauthenticated):
        await gw.authenticate().execute(auth)
    assert gw.audit_kinds()[-1] == "logout"


async def test_no_credential_and_unknown_ones(gw):
    for command in [
        AuthenticateCommand("GET"),
        AuthenticateCommand("GET", session_token="made-up"),
        AuthenticateCommand("GET", bearer="made-up"),
        AuthenticateCommand("GET", bearer=API_KEY_PREFIX + "made-up"),
    ]:
        with pytest.raises(Unauthenticated):
            await gw.authenticate().execute(command)


async def test_password_change_ends_every_session(gw):
    user, first = await _session(gw)
    second = (await gw.log_in().execute(LogInCommand(user.email, PASSWORD))).new_session
    principal = user.principal("session")
    with pytest.raises(Forbidden):
        await gw.change_password().execute(
            ChangePasswordCommand(principal, "not the password at all", "another long passphrase")
        )
    ended = await gw.change_password().execute(
        ChangePasswordCommand(principal, PASSWORD, "another long passphrase")
    )
    assert ended == 2
    for opened in (first, second):
        with pytest.raises(Unauthenticated):
            await gw.authenticate().execute(AuthenticateCommand("GET", session_token=opened.token))
    with pytest.raises(Unauthenticated):
        await gw.log_in().execute(LogInCommand(user.email, PASSWORD))
    await gw.log_in().execute(LogInCommand(user.email, "another long passphrase"))
    assert "password.changed" in gw.audit_kinds()


# ---- API keys -----------------------------------------------------------------------------


async def test_api_key_shown_once_works_records_use_and_revokes(gw):
    owner = await gw.principal()
    made = await gw.create_api_key().execute(CreateApiKeyCommand(owner, "school system"))
    assert made.secret.startswith(API_KEY_PREFIX) and made.secret.startswith(made.key.prefix)
    assert made.secret not in repr(gw.store.api_keys)
    bearer = AuthenticateCommand("DELETE", bearer=made.secret)  # no CSRF for a key
    principal = await gw.authenticate().execute(bearer)
    assert (principal.id, principal.via) == (owner.id, "api_key")
    assert gw.store.api_keys[made.key.id].last_used_at == gw.clock.now()
    await gw.revoke_api_key().execute(RevokeApiKeyCommand(owner, made.key.id))
    with pytest.raises(Unauthenticated):
        await gw.authenticate().execute(bearer)
    assert gw.audit_kinds()[-2:] == ["api_key.created", "api_key.revoked"]


async def test_expired_key_is_refused(gw):
    owner = await gw.principal()
    expires = gw.clock.now() + timedelta(hours=1)
    made = await gw.create_api_key().execute(CreateApiKeyCommand(owner, "short", expires))
    gw.clock.advance(hours=1)
    with pytest.raises(Unauthenticated):
        await gw.authenticate().execute(AuthenticateCommand("GET", bearer=made.secret))
    with pytest.raises(InvalidInput):
        await gw.create_api_key().execute(CreateApiKeyCommand(owner, "past", expires))


async def test_a_teacher_sees_and_revokes_only_their_keys(gw):
    anna, bo = await gw.principal(), await gw.principal()
    annas = await gw.create_api_key().execute(CreateApiKeyCommand(anna, "annas"))
    await gw.create_api_key().execute(CreateApiKeyCommand(bo, "bos"))
    assert [k.name for k in await gw.list_api_keys().execute(ListApiKeysCommand(anna))] == ["annas"]
    with pytest.raises(NotFound):
        await gw.revoke_api_key().execute(RevokeApiKeyCommand(bo, annas.key.id))


# ---- judges -------------------------------------------------------------------------------


async def test_invitation_gives_a_judge_only_session_on_that_batch(gw):
    teacher = await gw.principal()
    gw.ownership.owners["b1"] = teacher.id
    invited = await gw.invite_judge().execute(
        InviteJudgeCommand(teacher, "b1", "Colleague@School.example", 24)
    )
    assert invited.url == f"https://essays.example/judge#invitation={invited.token}"
    assert invited.invitation.expires_at == gw.clock.now() + timedelta(hours=24)
    accepted = await gw.accept_invitation().execute(AcceptInvitationCommand(invited.token))
    judge = accepted.principal
    assert (judge.kind, judge.judge_batch_id, judge.id) == (
        "judge",
        "b1",
        invited.invitation.judge_id,
    )
    again = await gw.authenticate().execute(
        AuthenticateCommand("GET", session_token=accepted.new_session.token)
    )
    assert again == judge.__class__(judge.id, "judge", None, None, "judge_session", "b1")
    with pytest.raises(Forbidden):  # a judge has no account: no keys, no invitations
        await gw.create_api_key().execute(CreateApiKeyCommand(again, "k"))
    with pytest.raises(Forbidden):
        await gw.invite_judge().execute(InviteJudgeCommand(again, "b1"))
    assert gw.audit_kinds()[-2:] == ["invitation.created", "invitation.accepted"]


async def test_invitation_to_a_strangers_batch_is_404_and_expired_ones_are_401(gw):
    teacher, stranger = await gw.principal(), await gw.principal()
    gw.ownership.owners["b1"] = teacher.id
    with pytest.raises(NotFound):
        await gw.invite_judge().execute(InviteJudgeCommand(stranger, "b1"))
    with pytest.raises(NotFound):
        await gw.invite_judge().execute(InviteJudgeCommand(teacher, "missing"))
    with pytest.raises(InvalidInput):
        await gw.invite_judge().execute(InviteJudgeCommand(teacher, "b1", None, 10_000))
    invited = await gw.invite_judge().execute(InviteJudgeCommand(teacher, "b1"))
    gw.clock.advance(hours=72)
    with pytest.raises(Unauthenticated):
        await gw.accept_invitation().execute(AcceptInvitationCommand(invited.token))
    with pytest.raises(Unauthenticated):
        await gw.accept_invitation().execute(AcceptInvitationCommand("made-up"))


async def test_a_judge_session_ends_with_its_invitation(gw):
    teacher = await gw.principal()
    gw.ownership.owners["b1"] = teacher.id
    invited = await gw.invite_judge().execute(InviteJudgeCommand(teacher, "b1", None, 0.5))
    accepted = await gw.accept_invitation().execute(AcceptInvitationCommand(invited.token))
    gw.clock.advance(minutes=30)
    with pytest.raises(Unauthenticated):
        await gw.authenticate().execute(
            AuthenticateCommand("GET", session_token=accepted.new_session.token)
        )


# ---- audit --------------------------------------------------------------------------------


async def test_audit_is_admin_only_and_pages_without_gaps(gw):
    admin, teacher = await gw.principal("admin"), await gw.principal("teacher")
    with pytest.raises(Forbidden):
        await gw.list_audit_events().execute(ListAuditEventsCommand(teacher))
    for _ in range(5):
        gw.clock.advance(seconds=1)
        with pytest.raises(Unauthenticated):
            await gw.log_in().execute(LogInCommand("nobody@school.example", "wrong but long!!"))
    seen, cursor = [], None
    while True:
        result = await gw.list_audit_events().execute(
            ListAuditEventsCommand(admin, cursor, limit=2)
        )
        seen += result.items
        cursor = result.next_cursor
        if cursor is None:
            break
    in_order = sorted(gw.store.audit.values(), key=lambda e: (e.at, e.id))
    assert [e.id for e in seen] == [e.id for e in in_order]
    assert len({e.id for e in seen}) == len(seen) == 8  # 2 users, 5 failures, 1 lockout
    only = await gw.list_audit_events().execute(ListAuditEventsCommand(admin, kind="login.locked"))
    assert [e.kind for e in only.items] == ["login.locked"]


async def test_client_ips_are_forgotten_after_the_retention(gw):
    user = await gw.user()
    await gw.log_in().execute(LogInCommand(user.email, PASSWORD, "192.0.2.7"))
    gw.clock.advance(days=29)
    result = await gw.forget_client_ips(30).execute(ForgetClientIpsCommand())
    assert (result.audit_events, result.sessions) == (0, 0)
    gw.clock.advance(days=2)
    result = await gw.forget_client_ips(30).execute(ForgetClientIpsCommand())
    assert (result.audit_events, result.sessions, result.sessions_deleted) == (1, 1, 1)
    assert all(e.client_ip is None for e in gw.store.audit.values())
    assert not gw.store.sessions  # expired 12 hours after the login, a month ago
