"""The admin site's titles: named by the service, not "Django administration"."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Marketplace — administration")
admin.site.site_title = _("Marketplace — administration")
