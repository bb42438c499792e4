"""PostgreSQL holds ``session_capacity``'s count whatever writes the rows: a session's
``seats_taken`` equals its active seats.

A deferred constraint trigger checks, at COMMIT, every session a transaction touched
(a seat inserted, deleted, or moved between statuses or sessions; ``seats_taken``
written): the booking services change both in one transaction, so they pass; a raw
``UPDATE`` of the counter, or a seat inserted without counting it, is refused at
COMMIT with ``session_seats_taken_counts_active_seats``. A check rather than a counter
kept by a trigger: the booking's conditional ``UPDATE … seats_taken < capacity`` under
the session's lock stays the one place a seat is taken (measured in
docs/benchmarks.md). A session that no longer exists is not checked: its foreign keys
say so. SQLite has no such trigger; ``check_integrity`` holds the rule there.
"""

from django.db import migrations

from core.migration_operations import PostgresqlOnly

FORWARDS = """
CREATE FUNCTION orders_session_seats_counted() RETURNS trigger AS $$
DECLARE
    touched bigint[];
    sid bigint;
    taken integer;
    active integer;
BEGIN
    IF TG_TABLE_NAME = 'workshops_workshopsession' THEN
        touched := ARRAY[NEW.id];
    ELSIF TG_OP = 'INSERT' THEN
        touched := ARRAY[NEW.session_id];
    ELSIF TG_OP = 'DELETE' THEN
        touched := ARRAY[OLD.session_id];
    ELSE
        touched := ARRAY[OLD.session_id, NEW.session_id];
    END IF;
    FOREACH sid IN ARRAY touched LOOP
        SELECT s.seats_taken INTO taken FROM workshops_workshopsession s WHERE s.id = sid;
        CONTINUE WHEN NOT FOUND;
        SELECT count(*) INTO active FROM orders_orderitem i
         WHERE i.session_id = sid AND i.status = 'active';
        IF taken <> active THEN
            RAISE EXCEPTION 'session_seats_taken_counts_active_seats: session % has % seat(s) taken but % active seat(s)',
                sid, taken, active
                USING ERRCODE = 'check_violation',
                      CONSTRAINT = 'session_seats_taken_counts_active_seats',
                      HINT = 'Book and cancel through the services; repair_integrity recounts.';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER session_seats_taken_counts_active_seats
    AFTER INSERT OR DELETE OR UPDATE OF session_id, status ON orders_orderitem
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION orders_session_seats_counted();

CREATE CONSTRAINT TRIGGER session_seats_taken_counts_active_seats
    AFTER INSERT OR UPDATE OF seats_taken ON workshops_workshopsession
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION orders_session_seats_counted();
"""

BACKWARDS = """
DROP TRIGGER IF EXISTS session_seats_taken_counts_active_seats ON workshops_workshopsession;
DROP TRIGGER IF EXISTS session_seats_taken_counts_active_seats ON orders_orderitem;
DROP FUNCTION IF EXISTS orders_session_seats_counted();
"""


class Migration(migrations.Migration):
    dependencies = [("orders", "0008_counters_equal_active_seats")]

    operations = [PostgresqlOnly(FORWARDS, BACKWARDS)]
