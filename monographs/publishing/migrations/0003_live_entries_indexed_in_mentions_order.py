from django.db import migrations, models

# A search row of a term or a reference lists the first live entries mentioning it
# (search.indexing.MENTIONS_ORDER). Read in this index's order, a common term's first fifty
# are found among its first few hundred entries: at 100,000 trials, rewriting the rows of a
# trial's terms inside its publish took 250 ms sorting the 9,000 reporters of each, 2 ms
# with the index. The build reads the entries' table once (under a second at that size), and
# publishing waits for it, as it holds the table against writes until the migration commits.


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0002_facets_and_live_entries_indexed_for_facet_filters"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(("withdrawn_at__isnull", True)),
                fields=["kind", "-last_published_at", "title", "id"],
                name="entry_live_mentions",
            ),
        ),
    ]
