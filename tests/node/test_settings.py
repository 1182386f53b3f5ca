"""Settings from the environment and a TOML file; bad values named in one line."""

from __future__ import annotations

import pytest

from node.settings import SettingsError, load_settings


def test_defaults(tmp_path):
    settings = load_settings({"KITH_DATA_DIR": str(tmp_path)})
    assert settings.base_url == "http://localhost:8000"
    assert settings.database_url == f"sqlite://{tmp_path}/kith.sqlite3"
    assert settings.max_post_chars == 5000 and settings.sqlite_synchronous == "NORMAL"
    assert settings.host == "localhost:8000" and not settings.secure_cookies


def test_toml_file__read_and_overridden_by_the_environment(tmp_path):
    config = tmp_path / "kith.toml"
    config.write_text('base_url = "https://social.example"\nmax_post_chars = 1000\nDATABASE_URL = "postgres://u@db/kith"\n')
    settings = load_settings({"KITH_CONFIG": str(config), "KITH_MAX_POST_CHARS": "2000"})
    assert settings.base_url == "https://social.example" and settings.secure_cookies
    assert settings.max_post_chars == 2000
    assert settings.database_url == "postgres://u@db/kith"


@pytest.mark.parametrize(
    "env,names",
    [
        ({"KITH_BASE_URL": "http://social.example"}, "KITH_BASE_URL"),
        ({"KITH_BASE_URL": "https://social.example/path"}, "KITH_BASE_URL"),
        ({"KITH_BASE_URL": "social.example"}, "KITH_BASE_URL"),
        ({"KITH_BASE_URL": "https://x.example:notaport"}, "KITH_BASE_URL"),
        ({"DATABASE_URL": "mysql://db/kith"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://"}, "DATABASE_URL"),
        ({"KITH_MAX_POST_CHARS": "0"}, "KITH_MAX_POST_CHARS"),
        ({"KITH_SQLITE_SYNCHRONOUS": "sometimes"}, "KITH_SQLITE_SYNCHRONOUS"),
        ({"KITH_REGISTRATIONS_OPEN": "maybe"}, "KITH_REGISTRATIONS_OPEN"),
        ({"KITH_CONFIG": "/nonexistent/kith.toml"}, "KITH_CONFIG"),
    ],
)
def test_bad_values__raise_one_line_naming_the_setting(env, names):
    with pytest.raises(SettingsError) as error:
        load_settings(env)
    assert str(error.value).startswith(names) and "\n" not in str(error.value)


def test_http_allowed_for_loopback_only():
    assert load_settings({"KITH_BASE_URL": "http://127.0.0.1:8000/"}).base_url == "http://127.0.0.1:8000"
    assert load_settings({"KITH_BASE_URL": "HTTPS://Social.Example"}).base_url == "https://social.example"
