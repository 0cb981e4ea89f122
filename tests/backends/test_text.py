"""Model text made safe to write anywhere; server text made short and free of secrets."""
import json

from dslgen.backends.text import clean_text, clean_value, display_url, scrub


def test_clean_text_replaces_lone_surrogates_and_nul_only():
    assert clean_text("ok \U0001F600 é") == "ok \U0001F600 é"
    assert clean_text("a\ud800b\udfffc\x00") == "a\ufffdb\ufffdc\ufffd"
    value = clean_value({"k\ud800": ["x\udc00", 1, None, {"y": "\x00"}]})
    assert value == {"k\ufffd": ["x\ufffd", 1, None, {"y": "\ufffd"}]}
    json.dumps(value, ensure_ascii=False).encode("utf-8")


def test_scrub_hides_the_key_tokens_and_secret_fields():
    body = ('{"headers": {"Authorization": "Bearer sk-abcdef123456", "X-Api-Key": "k-99"}, '
            '"api_key": "plain-secret", "password=hunter22&x=1", '
            'msg: "my-own-key-value leaked"}')
    out = scrub(body, ["my-own-key-value"])
    for secret in ("sk-abcdef123456", "k-99", "plain-secret", "hunter22", "my-own-key-value"):
        assert secret not in out, secret
    assert "Bearer ***" in out and '"api_key": "***"' in out


def test_scrub_cuts_to_one_short_line():
    out = scrub("line one\nline two\t" + "z" * 1000, limit=50)
    assert "\n" not in out and len(out) == 50 and out.endswith("…")


def test_display_url_hides_a_password():
    assert display_url("http://bob:pw@h:1/v1") == "http://bob:***@h:1/v1"
    assert display_url("http://h:1/v1") == "http://h:1/v1"
