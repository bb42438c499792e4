"""PostgreSQL holds the rest of ``chat_message_session`` whatever writes the rows:

- an answer replies to a question (``chat_message_replies_to_a_question``): checked as
  a message is written, and a question with answers cannot become an answer itself;
  the composite foreign key of 0001 already keeps the answer in its question's
  conversation;
- a conversation's messages are numbered 1…n and counted in ``message_count``
  (``chat_session_messages_counted``): a deferred constraint trigger checks, at
  COMMIT, every conversation a transaction touched. ``chat_exchange_log`` reserves two
  numbers and inserts two messages in one transaction, so it passes; deleting a whole
  conversation (``purge_chat_logs``, a student's delete) leaves nothing to check.
  A check rather than a counter kept by a trigger: the logger's one-statement
  reservation under the conversation's lock stays the one place numbers are handed
  out.

SQLite has no such triggers; ``check_integrity`` holds the rules there.
"""

from django.db import migrations

from core.migration_operations import PostgresqlOnly

FORWARDS = """
CREATE FUNCTION assistant_chat_replies_to_a_question() RETURNS trigger AS $$
BEGIN
    IF NEW.reply_to_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM assistant_chat_chatmessage q
         WHERE q.id = NEW.reply_to_id AND q.role <> 'user'
    ) THEN
        RAISE EXCEPTION 'chat_message_replies_to_a_question: message % replies to message %, '
            'which is not a question',
            NEW.id, NEW.reply_to_id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'chat_message_replies_to_a_question';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.role = 'user' AND NEW.role <> 'user' AND EXISTS (
        SELECT 1 FROM assistant_chat_chatmessage a WHERE a.reply_to_id = NEW.id
    ) THEN
        RAISE EXCEPTION 'chat_message_replies_to_a_question: message % has an answer, so it '
            'stays a question', NEW.id
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'chat_message_replies_to_a_question';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER chat_message_replies_to_a_question
    BEFORE INSERT OR UPDATE OF reply_to_id, role ON assistant_chat_chatmessage
    FOR EACH ROW EXECUTE FUNCTION assistant_chat_replies_to_a_question();

CREATE FUNCTION assistant_chat_messages_counted() RETURNS trigger AS $$
DECLARE
    touched uuid[];
    sid uuid;
    counted integer;
    messages integer;
    highest integer;
BEGIN
    IF TG_TABLE_NAME = 'assistant_chat_chatsession' THEN
        touched := ARRAY[NEW.id];
    ELSIF TG_OP = 'INSERT' THEN
        touched := ARRAY[NEW.session_id];
    ELSIF TG_OP = 'DELETE' THEN
        touched := ARRAY[OLD.session_id];
    ELSE
        touched := ARRAY[OLD.session_id, NEW.session_id];
    END IF;
    FOREACH sid IN ARRAY touched LOOP
        SELECT s.message_count INTO counted FROM assistant_chat_chatsession s WHERE s.id = sid;
        CONTINUE WHEN NOT FOUND;
        SELECT count(*), COALESCE(max(m.sequence), 0) INTO messages, highest
          FROM assistant_chat_chatmessage m WHERE m.session_id = sid;
        IF counted <> messages OR highest <> messages THEN
            RAISE EXCEPTION 'chat_session_messages_counted: conversation % counts % message(s) '
                'but has % numbered up to %',
                sid, counted, messages, highest
                USING ERRCODE = 'check_violation',
                      CONSTRAINT = 'chat_session_messages_counted',
                      HINT = 'Log exchanges through chat_exchange_log; repair_integrity renumbers.';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER chat_session_messages_counted
    AFTER INSERT OR DELETE OR UPDATE OF session_id, sequence ON assistant_chat_chatmessage
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION assistant_chat_messages_counted();

CREATE CONSTRAINT TRIGGER chat_session_messages_counted
    AFTER INSERT OR UPDATE OF message_count ON assistant_chat_chatsession
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION assistant_chat_messages_counted();
"""

BACKWARDS = """
DROP TRIGGER IF EXISTS chat_session_messages_counted ON assistant_chat_chatsession;
DROP TRIGGER IF EXISTS chat_session_messages_counted ON assistant_chat_chatmessage;
DROP FUNCTION IF EXISTS assistant_chat_messages_counted();
DROP TRIGGER IF EXISTS chat_message_replies_to_a_question ON assistant_chat_chatmessage;
DROP FUNCTION IF EXISTS assistant_chat_replies_to_a_question();
"""


class Migration(migrations.Migration):
    dependencies = [("assistant_chat", "0003_messages_numbered_and_counted")]

    operations = [PostgresqlOnly(FORWARDS, BACKWARDS)]
