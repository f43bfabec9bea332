# The index review of issue 15 (bench/results/contacts_import-findings-2026-12-03.md): indexes
# no query needs, because another index begins with the same columns, cost every insert of
# an import. contact_consent: a consent state is the start of contact_consent_spent; the
# one-column indexes of foreign keys that begin a composite index already.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0005_note_imported_flag'),
        ('core', '0004_workspace_send_rate_per_minute'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='contact',
            name='contact_consent',
        ),
        migrations.AlterField(
            model_name='contact',
            name='workspace',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.workspace'),
        ),
        migrations.AlterField(
            model_name='contactevent',
            name='contact',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='contacts.contact'),
        ),
        migrations.AlterField(
            model_name='contacttag',
            name='contact',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='tag_links', to='contacts.contact'),
        ),
        migrations.AlterField(
            model_name='contacttag',
            name='tag',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='contact_links', to='contacts.tag'),
        ),
    ]
