# Indexes the million-contact benchmark showed a need for (bench/results/contacts_list-*.md).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0002_postgres_search_indexes"),
        ("core", "0001_initial"),
    ]

    operations = [
        # Its only reader, the "new customers" segment, is served by contact_type_since.
        migrations.RemoveIndex(model_name="contact", name="contact_customer_since"),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                fields=["workspace", "consent", "total_spent", "id"],
                name="contact_consent_spent",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                fields=["workspace", "type", "customer_since"], name="contact_type_since"
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["workspace", "source"], name="contact_source"),
        ),
    ]
