"""Sources: the works the archive's statements are taken from."""

from django.db import models

from archive.models.base import Record, versioned


class Source(Record):
    """A citable work: an article, a book, an archival file, a web page."""

    title = models.CharField(max_length=500)
    author = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    accessed = models.DateField(null=True, blank=True, help_text="When the URL was consulted.")

    history = versioned(excluded=("name_text", "search_text"))

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def search_names(self):
        return [self.title]

    def search_extras(self):
        return [self.author]
