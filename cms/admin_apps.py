"""Django's admin app with :class:`cms.admin_site.CmsAdminSite` as ``admin.site`` (its own
module: an app config can't import models, and the site's login form does)."""

from django.contrib.admin.apps import AdminConfig


class CmsAdminConfig(AdminConfig):
    default_site = "cms.admin_site.CmsAdminSite"
