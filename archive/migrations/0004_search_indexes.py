from django.db import migrations


def create(apps, schema_editor):
    from archive import search_index

    search_index.create(schema_editor)


def drop(apps, schema_editor):
    from archive import search_index

    search_index.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_name_text")]

    operations = [migrations.RunPython(create, drop)]
