"""django-axes (sign-in throttling) as both admins show it: under a name that says what it
keeps, and in Russian where axes' own catalogue has no Russian for a heading of its pages.

Put ``paylib.axes_app.SignInAttemptsConfig`` in ``INSTALLED_APPS`` instead of ``"axes"``.
paylib's catalogue (``LOCALE_PATHS``) comes before an app's, so the strings below, which
are axes' own ``msgid``\\ s, are translated in ``paylib/locale``.
"""

from __future__ import annotations

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

AXES_WORDS = (
    # axes/admin.py and axes/models.py, which axes' Russian catalogue leaves in English
    # or translates oddly ("IP Адрес").
    gettext_noop("Locked Out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("HTTP Accept"),
)


class SignInAttemptsConfig(AppConfig):
    verbose_name = _("Sign-in attempts")
