"""A parent's request names only a child of that parent (``session_request_parties``):
on PostgreSQL ``(parent_id, child_id)`` becomes a foreign key onto the family link,
``request_child_of_parent_fk``, so raw SQL cannot name someone else's child, nor remove
a link a request still names.

Before it, requests naming a child who is no longer linked to their parent (a parent
could unlink a child until now) let go of the child, as unlinking does from now on
(``tutoring.services.family_unlink``): the request keeps the child's name in
``student_name``, and no row is lost. The key is added ``NOT VALID`` and then
validated, so the table is not locked through the scan; a request naming a child is
rare, so the repair is one set-based statement. Safe to re-run; going back drops the
key and changes no data.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef

from core.migration_operations import PostgresqlOnly


def let_go_of_unlinked_children(apps, schema_editor):
    Request = apps.get_model("tutoring", "SessionRequest")
    Link = apps.get_model("tutoring", "FamilyLink")
    db = schema_editor.connection.alias
    linked = Link.objects.using(db).filter(parent=OuterRef("parent_id"), child=OuterRef("child_id"))
    unlinked = Request.objects.using(db).filter(child__isnull=False).exclude(Exists(linked))
    count = unlinked.update(child=None)
    if count:
        print(f"\n  tutoring 0010: {count} request(s) no longer name a child who was unlinked")


FOREIGN_KEY = """
ALTER TABLE tutoring_sessionrequest
    ADD CONSTRAINT request_child_of_parent_fk
    FOREIGN KEY (parent_id, child_id)
    REFERENCES tutoring_parentprofile_children (parentprofile_id, studentprofile_id)
    DEFERRABLE INITIALLY IMMEDIATE
    NOT VALID;
"""
VALIDATE = "ALTER TABLE tutoring_sessionrequest VALIDATE CONSTRAINT request_child_of_parent_fk;"
DROP_FOREIGN_KEY = (
    "ALTER TABLE tutoring_sessionrequest DROP CONSTRAINT IF EXISTS request_child_of_parent_fk;"
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tutoring", "0009_family_link")]

    operations = [
        migrations.RunPython(let_go_of_unlinked_children, migrations.RunPython.noop),
        PostgresqlOnly(FOREIGN_KEY, DROP_FOREIGN_KEY),
        PostgresqlOnly(VALIDATE, migrations.RunSQL.noop),
    ]
