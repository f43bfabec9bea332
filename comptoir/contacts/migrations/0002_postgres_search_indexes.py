from django.db import migrations

from comptoir.contacts import postgres


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [
        migrations.RunPython(postgres.create_search_indexes, postgres.drop_search_indexes),
    ]
