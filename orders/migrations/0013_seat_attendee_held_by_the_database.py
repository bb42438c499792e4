"""PostgreSQL holds ``seat_attendee`` whatever writes the rows.

A seat's attendee is its buyer or a child of its buyer: a family link
(``tutoring_parentprofile_children``) between the buyer's parent profile and the
attendee's student profile. No foreign key can say it (the link joins profiles, the
seat names users), so a constraint trigger does, at the end of the statement that
writes the seat (raw SQL included). The other side: a family link cannot be removed,
or pointed at other people, while an active seat depends on it; the family's service
says so in words first (``tutoring.services.family_unlink``). SQLite has no such
trigger; ``check_integrity`` holds the rule there.
"""

from django.db import migrations

from core.migration_operations import PostgresqlOnly

FORWARDS = """
CREATE FUNCTION orders_seat_attendee_allowed() RETURNS trigger AS $$
BEGIN
    IF NEW.attendee_id <> NEW.buyer_id AND NOT EXISTS (
        SELECT 1
          FROM tutoring_parentprofile_children l
          JOIN tutoring_parentprofile p ON p.id = l.parentprofile_id
          JOIN tutoring_studentprofile c ON c.id = l.studentprofile_id
         WHERE p.user_id = NEW.buyer_id AND c.user_id = NEW.attendee_id
    ) THEN
        RAISE EXCEPTION 'seat_attendee: seat % is for user %, who is neither its buyer (user %) nor a child of the buyer',
            NEW.id, NEW.attendee_id, NEW.buyer_id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'seat_attendee',
                  HINT = 'A seat is for its buyer or one of the buyer''s children.';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER seat_attendee
    AFTER INSERT OR UPDATE OF buyer_id, attendee_id ON orders_orderitem
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION orders_seat_attendee_allowed();

CREATE FUNCTION orders_family_link_in_use() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1
          FROM orders_orderitem i
          JOIN tutoring_parentprofile p ON p.user_id = i.buyer_id
          JOIN tutoring_studentprofile c ON c.user_id = i.attendee_id
         WHERE p.id = OLD.parentprofile_id AND c.id = OLD.studentprofile_id
           AND i.status = 'active' AND i.attendee_id <> i.buyer_id
    ) AND (TG_OP = 'DELETE' OR NEW.parentprofile_id <> OLD.parentprofile_id
           OR NEW.studentprofile_id <> OLD.studentprofile_id) THEN
        RAISE EXCEPTION 'seat_attendee: the family link % holds active seats the parent booked for the child',
            OLD.id
            USING ERRCODE = 'foreign_key_violation',
                  CONSTRAINT = 'seat_attendee',
                  HINT = 'Cancel those seats before removing the child.';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER seat_attendee_link
    AFTER DELETE OR UPDATE ON tutoring_parentprofile_children
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION orders_family_link_in_use();
"""

BACKWARDS = """
DROP TRIGGER IF EXISTS seat_attendee_link ON tutoring_parentprofile_children;
DROP TRIGGER IF EXISTS seat_attendee ON orders_orderitem;
DROP FUNCTION IF EXISTS orders_family_link_in_use();
DROP FUNCTION IF EXISTS orders_seat_attendee_allowed();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0012_seat_attendee"),
        ("tutoring", "0012_constraint_messages"),
    ]

    operations = [PostgresqlOnly(FORWARDS, BACKWARDS)]
