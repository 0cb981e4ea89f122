"""Secrets read from ${VAR} become *** wherever they would be shown."""
from __future__ import annotations

from dslgen.redact import MASK, redact, redact_json, redact_url, register


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
    assert redact_url("postgresql://me:literal-pw@127.0.0.1:5432/db") == f"postgresql://me:{MASK}@127.0.0.1:5432/db"
    assert redact_url("not a url [") == "not a url ["
