"""Register GraphQL documents as trusted: ``manage.py register_trusted_documents FILE…``.

Each operation of each .graphql file, with the fragments it uses, is printed
as graphql-js prints it (what Apollo Client and GraphQL Codegen hash), checked
against the schema, and added to the manifest under its SHA-256
(``settings.GRAPHQL_TRUSTED_DOCUMENTS`` unless ``--manifest`` says otherwise).
With ``GRAPHQL_TRUSTED_DOCUMENTS_ONLY=1`` the API answers these documents alone
(archive/graphql/persisted.py, docs/api.md "Persisted queries").
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from graphql import GraphQLError, parse, print_ast, separate_operations, validate

from archive.graphql import persisted
from archive.graphql.schema import schema


class Command(BaseCommand):
    help = "Add the operations of .graphql files to the trusted documents' manifest."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--manifest", type=Path, default=None)
        parser.add_argument(
            "--replace", action="store_true", help="these documents alone, none kept from before"
        )

    def handle(self, *args, files, manifest, replace, **options):
        manifest = manifest or Path(settings.GRAPHQL_TRUSTED_DOCUMENTS)
        kept = manifest.exists() and not replace
        documents = persisted.load_documents(manifest) if kept else {}
        added = 0
        for file in files:
            try:
                document = parse(file.read_text(encoding="utf-8"))
            except GraphQLError as error:
                raise CommandError(f"{file}: {error}") from None
            errors = validate(schema._schema, document)
            if errors:
                raise CommandError(f"{file}: " + "; ".join(e.message for e in errors))
            for name, operation in separate_operations(document).items():
                if not name:
                    raise CommandError(f"{file}: every operation must have a name")
                text = print_ast(operation)
                digest = persisted.sha256(text)
                added += digest not in documents
                documents[digest] = text
        manifest.write_text(
            json.dumps(documents, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        self.stdout.write(f"{added} document(s) added; {len(documents)} trusted in {manifest}")
