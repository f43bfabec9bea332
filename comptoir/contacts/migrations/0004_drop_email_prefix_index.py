from django.db import migrations

from comptoir.contacts import postgres


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_list_indexes")]

    operations = [
        migrations.RunPython(postgres.drop_email_prefix_index, postgres.create_email_prefix_index),
    ]
