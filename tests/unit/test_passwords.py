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



def test_production_cost_is_the_default_and_only_tests_lower_it(tmp_path):
    """The suite hashes cheaply through KDE_PASSWORD_HASH_PARAMS; without that key a hash gets
    RFC 9106's argon2id cost (3 passes over 64 MiB, 4 lanes), written into the hash itself."""
    from kde_community import create_app
    from kde_community.config import load_config
    from tests.helpers import make_config

    strong = "$argon2id$v=19$m=65536,t=3,p=4$"
    assert load_config({"KDE_DATA_DIR": str(tmp_path), "SECRET_KEY": "x"})[
        "KDE_PASSWORD_HASH_PARAMS"] is None
    assert hash_password("paarse-fiets-onder-de-brug").startswith(strong)  # outside an app
    default = make_config(tmp_path / "default")
    del default["KDE_PASSWORD_HASH_PARAMS"]
    with create_app(default).app_context():
        production_hash = hash_password("paarse-fiets-onder-de-brug")
    assert production_hash.startswith(strong)
    # The test config's cheap hashes; strong ones still verify there (the cost is in the hash).
    with create_app(make_config(tmp_path / "test")).app_context():
        assert hash_password("paarse-fiets-onder-de-brug").startswith("$argon2id$v=19$m=8,t=1,p=1$")
        assert verify_password(production_hash, "paarse-fiets-onder-de-brug")
        assert not verify_password(production_hash, "paarse-fiets-onder-de-bruG")
