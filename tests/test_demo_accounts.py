from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def test_demo_accounts_are_created_with_debug_on(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "editor / editor-demo" in out.getvalue()
    # As the admin's login form does: with the request (the login throttle needs it).
    login = RequestFactory().post("/admin/login/")
    editor = authenticate(login, username="editor", password="editor-demo")
    moderator = authenticate(login, username="moderator", password="moderator-demo")
    assert editor.is_staff and editor.has_perm("newsroom.change_article")
    assert moderator.is_staff and not moderator.has_perm("newsroom.change_article")
    assert moderator.has_perm("newsroom.moderate_comment")
    reporter = authenticate(login, username="reporter", password="reporter-demo")
    assert reporter.is_staff and reporter.has_perm("newsroom.add_article")
    assert not reporter.has_perm("newsroom.publish_article")


def test_no_demo_accounts_without_debug(settings, django_user_model):
    settings.DEBUG = False
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "skipped" in out.getvalue()
    assert not django_user_model.objects.exists()
