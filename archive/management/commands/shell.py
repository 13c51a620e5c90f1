"""`manage.py shell`, importing the archive's models but not their historical models.

Django 5.2's shell imports every model at start. simple-history's historical
models are created in another module than they claim, so Django cannot
import them and lists all 22 on every start, burying what a command printed;
they are reached as ``Person.history`` anyway.
"""

from django.core.management.commands import shell


class Command(shell.Command):
    def get_auto_imports(self):
        return [path for path in super().get_auto_imports() if ".Historical" not in path]
