from django.contrib import admin

from archive.admin.base import ArchiveAdmin
from archive.models import Source


@admin.register(Source)
class SourceAdmin(ArchiveAdmin):
    list_display = ("title", "author", "url", "accessed", "published", "modified")
    list_filter = ("published",)
