"""Security headers: the Content-Security-Policy and the Permissions-Policy on every
response (pages, cached hits, admin pages, error pages, static files), and HSTS settings
that leave subdomains and the preload list to the site's operator."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError

from newsroom import pagecache

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
CSP = "Content-Security-Policy"
PERMISSIONS = "Permissions-Policy"


def directives(response) -> dict[str, list[str]]:
    """The CSP header as {directive: [source, ...]}."""
    policy = {}
    for part in response[CSP].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


def assert_policies(response) -> None:
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    features = dict(item.strip().split("=", 1) for item in response[PERMISSIONS].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature


@pytest.fixture
def article(make_article):
    return make_article(title="Talks Resume", slug="talks-resume")


def test_an_article_page_carries_both_policies(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert_policies(response)


def test_a_cached_page_carries_both_policies(client, article):
    url = article.get_absolute_url()
    client.get(url)
    hit = client.get(url)
    assert hit.status_code == 200
    assert hit[pagecache.CACHE_HIT_HEADER] == "hit"
    assert_policies(hit)


def test_a_compressed_cached_page_carries_both_policies(client, article):
    url = article.get_absolute_url()
    client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    hit = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert hit[pagecache.CACHE_HIT_HEADER] == "hit"
    assert hit["Content-Encoding"] == "gzip"
    assert_policies(hit)


def test_admin_pages_carry_both_policies(editor_client, client):
    assert_policies(editor_client.get("/admin/"))
    assert_policies(editor_client.get("/admin/newsroom/comment/"))


def test_the_login_page_carries_both_policies(client):
    assert_policies(client.get("/admin/login/"))


@pytest.mark.parametrize("path", ["/no-such-page/", "/articles/no-such-article/", "/a\x00b/"])
def test_error_responses_carry_both_policies(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert_policies(response)


def test_the_503_page_carries_both_policies(client, article, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.models.query.QuerySet.get", refuse)
    client.raise_request_exception = False
    response = client.get(article.get_absolute_url())
    assert response.status_code == 503
    assert_policies(response)


def test_static_files_carry_both_policies(client):
    response = client.get("/static/newsroom/newsroom.css")
    assert response.status_code == 200
    assert_policies(response)


def style_hashes(template: Path) -> set[str]:
    found = set()
    for style in re.findall(r"<style>(.*?)</style>", template.read_text(), re.S):
        digest = hashlib.sha256(style.encode()).digest()
        found.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return found


@pytest.mark.parametrize(
    "template", ["templates/500.html", "newsroom/templates/newsroom/unavailable.html"]
)
def test_the_error_pages_own_style_is_allowed_by_its_hash(client, template):
    """The error pages carry their style inline (they must show without static files); the
    policy allows exactly that style and no other."""
    hashes = style_hashes(ROOT / template)
    assert hashes
    assert hashes <= set(directives(client.get("/"))["style-src"])


def test_no_template_of_ours_has_an_inline_script_or_style_attribute():
    for folder in ("newsroom/templates", "quickquotes/templates", "templates"):
        for template in (ROOT / folder).rglob("*.html"):
            text = template.read_text()
            assert not re.search(r"\sstyle=", text), template
            assert not re.search(r"\son[a-z]+=", text), template
            for tag in re.findall(r"<script\b[^>]*>", text):
                assert "src=" in tag or "application/ld+json" in tag, (template, tag)


def test_a_project_extends_the_policies_in_its_settings(client, settings):
    from newsroom.conf import DEFAULTS

    settings.NEWSROOM_CONTENT_SECURITY_POLICY = {
        **DEFAULTS["CONTENT_SECURITY_POLICY"],
        "img-src": ["'self'", "https://img.example.net"],
    }
    settings.NEWSROOM_PERMISSIONS_POLICY = {**DEFAULTS["PERMISSIONS_POLICY"], "fullscreen": []}
    response = client.get("/")
    assert directives(response)["img-src"] == ["'self'", "https://img.example.net"]
    assert "fullscreen=()" in response[PERMISSIONS]


def test_a_view_s_own_policy_is_kept(rf):
    from django.http import HttpResponse

    from newsroom.headers import PolicyHeadersMiddleware

    def view(request):
        response = HttpResponse("embed")
        response[CSP] = "default-src 'self'; frame-src https://video.example"
        return response

    response = PolicyHeadersMiddleware(view)(rf.get("/"))
    assert response[CSP] == "default-src 'self'; frame-src https://video.example"
    assert "camera=()" in response[PERMISSIONS]


def production_settings(monkeypatch, **env: str) -> dict:
    for name in ("SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_HSTS_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "settings.py"))


def test_the_demo_site_takes_its_image_sources_from_the_environment(monkeypatch):
    values = production_settings(monkeypatch, CSP_IMG_SRC="https://img.example.net")
    policy = values["NEWSROOM_CONTENT_SECURITY_POLICY"]
    assert policy["img-src"] == ["'self'", "https://img.example.net"]
    assert policy["script-src"] == ["'self'"]
    monkeypatch.delenv("CSP_IMG_SRC")
    assert "NEWSROOM_CONTENT_SECURITY_POLICY" not in production_settings(monkeypatch)


# HSTS


def test_hsts_leaves_subdomains_and_preloading_to_the_operator(monkeypatch):
    values = production_settings(monkeypatch)
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is False
    # Django's reminders of these two are silenced only while nobody has chosen.
    assert {"security.W005", "security.W021"} <= set(values["SILENCED_SYSTEM_CHECKS"])


def test_hsts_subdomains_and_preloading_are_turned_on_by_the_environment(monkeypatch):
    values = production_settings(
        monkeypatch, SECURE_HSTS_INCLUDE_SUBDOMAINS="1", SECURE_HSTS_PRELOAD="1"
    )
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    silenced = set(values.get("SILENCED_SYSTEM_CHECKS", []))
    assert not silenced & {"security.W005", "security.W021"}


def test_an_explicit_choice_against_them_is_not_silenced(monkeypatch):
    values = production_settings(
        monkeypatch, SECURE_HSTS_INCLUDE_SUBDOMAINS="0", SECURE_HSTS_PRELOAD="0"
    )
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert not set(values.get("SILENCED_SYSTEM_CHECKS", [])) & {"security.W005", "security.W021"}


def test_the_hsts_header_names_neither_by_default(client):
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def check_deploy(tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "news.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_for_a_site_that_turns_both_on(tmp_path):
    result = check_deploy(tmp_path, SECURE_HSTS_INCLUDE_SUBDOMAINS="1", SECURE_HSTS_PRELOAD="1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_still_reminds_a_site_that_turns_them_off_explicitly(tmp_path):
    result = check_deploy(tmp_path, SECURE_HSTS_INCLUDE_SUBDOMAINS="0", SECURE_HSTS_PRELOAD="0")
    assert result.returncode != 0
    assert "security.W005" in result.stderr + result.stdout
    assert "security.W021" in result.stderr + result.stdout
