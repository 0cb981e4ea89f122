"""Secrets read from ${VAR} become *** wherever they would be shown."""
from __future__ import annotations

from dslgen.redact import MASK, hide_url_passwords, redact, redact_json, register


def test_a_registered_value_is_masked_in_text_and_json():
    register("tok-123456")
    assert redact("Bearer tok-123456 refused") == f"Bearer {MASK} refused"
    assert redact_json({"a": ["x tok-123456", 3], "tok-123456": None}) == {"a": [f"x {MASK}", 3], MASK: None}


def test_a_percent_encoded_value_is_masked_too():
    register("p@ss/word")
    assert redact("postgresql://me:p%40ss%2Fword@h/db") == f"postgresql://me:{MASK}@h/db"


def test_the_longest_secret_wins_and_short_values_are_not_secrets():
    register("abcd")
    register("abcdefgh")
    register("on")
    assert redact("abcdefgh on abcd") == f"{MASK} on {MASK}"


def test_a_url_never_shows_its_password():
    shown = hide_url_passwords("cannot reach postgresql://me:literal-pw@127.0.0.1:5432/db or http://h/v1")
    assert shown == f"cannot reach postgresql://me:{MASK}@127.0.0.1:5432/db or http://h/v1"
    assert hide_url_passwords("not a url [") == "not a url ["
