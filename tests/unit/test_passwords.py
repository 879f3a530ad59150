from __future__ import annotations

import pytest

from kde_community.accounts.passwords import hash_password, password_problem, verify_password


@pytest.mark.parametrize("password", [
    "kort", "elf-tekens!", "123456789012", "wachtwoord12345", "Welkom2024!!!!", "qwertyuiopas",
    "aaaaaaaaaaaaaaaa", "abababababababab", "Passwordpassword", "!!Amsterdam2026!!",
])
def test_weak_passwords_are_refused(app, password):
    with app.test_request_context():
        assert password_problem(password) is not None


def test_personal_passwords_are_refused(app):
    with app.test_request_context():
        assert password_problem("marieke-jansen-2026", name="Marieke Jansen") is not None
        assert password_problem("mjansen.utrecht42", email="mjansen@utrecht.nl") is not None


def test_good_password_passes_and_hash_is_argon2(app):
    with app.test_request_context():
        assert password_problem("paarse-fiets-onder-de-brug") is None
    hashed = hash_password("paarse-fiets-onder-de-brug")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "paarse-fiets-onder-de-brug")
    assert not verify_password(hashed, "paarse-fiets-onder-de-bruG")
    assert not verify_password(None, "x")
    assert not verify_password("garbage", "x")
