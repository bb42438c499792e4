"""Chat sessions and their messages (``chat_message_session``).

A message's session and a session's user are foreign keys with ``ON DELETE CASCADE``
in the database itself, so deleting a user or a conversation, by any path, takes its
messages along and leaves none behind. The check ``chat_session_user_or_visitor``
requires exactly one owner.

On PostgreSQL a composite foreign key says what a plain one cannot: an answer's
``(reply_to_id, session_id)`` must be a message of the same conversation, over the
unique key ``chat_message_id_session_key``. ``DEFERRABLE INITIALLY IMMEDIATE``: a bad
row fails at its own statement.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

REPLY_SAME_SESSION_FK = """
ALTER TABLE assistant_chat_chatmessage
    ADD CONSTRAINT chat_message_reply_same_session_fk
    FOREIGN KEY (reply_to_id, session_id)
    REFERENCES assistant_chat_chatmessage (id, session_id)
    ON DELETE CASCADE
    DEFERRABLE INITIALLY IMMEDIATE;
"""
DROP_REPLY_SAME_SESSION_FK = """
ALTER TABLE assistant_chat_chatmessage
    DROP CONSTRAINT IF EXISTS chat_message_reply_same_session_fk;
"""


def postgresql_only(sql: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChatSession",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "visitor_key",
                    models.CharField(
                        blank=True,
                        help_text="A random id kept in an anonymous visitor's Django session (never the session key itself). Empty for a user's conversation.",
                        max_length=64,
                        null=True,
                    ),
                ),
                ("title", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_message_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "message_count",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Messages in the conversation; the last message's sequence number.",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        related_name="chat_sessions",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "chat session",
                "ordering": ["-last_message_at"],
            },
        ),
        migrations.CreateModel(
            name="ChatMessage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "sequence",
                    models.PositiveIntegerField(
                        help_text="Orders the conversation, also when two messages share a timestamp. Allocated under the session row's lock."
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("user", "Question"), ("assistant", "Answer")], max_length=16
                    ),
                ),
                ("content", models.TextField()),
                (
                    "client_message_id",
                    models.CharField(
                        blank=True,
                        help_text="The client's id for a question, so a retried send is stored once.",
                        max_length=100,
                        null=True,
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "reply_to",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="On an answer: the question it answers.",
                        null=True,
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        related_name="+",
                        to="assistant_chat.chatmessage",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        related_name="messages",
                        to="assistant_chat.chatsession",
                    ),
                ),
            ],
            options={
                "verbose_name": "chat message",
                "ordering": ["session_id", "sequence"],
            },
        ),
        migrations.AddIndex(
            model_name="chatsession",
            index=models.Index(
                fields=["user", "-last_message_at"], name="chat_session_user_recent_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="chatsession",
            index=models.Index(fields=["visitor_key"], name="chat_session_visitor_idx"),
        ),
        migrations.AddIndex(
            model_name="chatsession",
            index=models.Index(fields=["last_message_at"], name="chat_session_last_message_idx"),
        ),
        migrations.AddConstraint(
            model_name="chatsession",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("user__isnull", False), ("visitor_key__isnull", True)),
                    models.Q(("user__isnull", True), ("visitor_key__isnull", False)),
                    _connector="OR",
                ),
                name="chat_session_user_or_visitor",
                violation_error_message="A conversation belongs to a user or to a visitor, exactly one of the two.",
            ),
        ),
        migrations.AddConstraint(
            model_name="chatsession",
            constraint=models.CheckConstraint(
                condition=models.Q(("visitor_key", ""), _negated=True),
                name="chat_session_visitor_key_not_empty",
                violation_error_message="A visitor key cannot be empty.",
            ),
        ),
        migrations.AddConstraint(
            model_name="chatmessage",
            constraint=models.UniqueConstraint(
                fields=("session", "sequence"),
                name="chat_message_sequence_unique_per_session",
                violation_error_message="This conversation already has a message with this sequence number.",
            ),
        ),
        migrations.AddConstraint(
            model_name="chatmessage",
            constraint=models.UniqueConstraint(
                condition=models.Q(("client_message_id__isnull", False)),
                fields=("session", "client_message_id"),
                name="chat_message_client_id_unique_per_session",
                violation_error_message="This conversation already has a message with this client message id.",
            ),
        ),
        migrations.AddConstraint(
            model_name="chatmessage",
            constraint=models.UniqueConstraint(
                fields=("reply_to",),
                name="chat_message_one_answer_per_question",
                violation_error_message="This question already has an answer.",
            ),
        ),
        migrations.AddConstraint(
            model_name="chatmessage",
            constraint=models.UniqueConstraint(
                fields=("id", "session"), name="chat_message_id_session_key"
            ),
        ),
        migrations.AddConstraint(
            model_name="chatmessage",
            constraint=models.CheckConstraint(
                condition=models.Q(("sequence__gte", 1)),
                name="chat_message_sequence_positive",
                violation_error_message="Sequence numbers start at 1.",
            ),
        ),
        migrations.AddConstraint(
            model_name="chatmessage",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("reply_to__isnull", True), ("role", "user")),
                    models.Q(("reply_to__isnull", False), ("role", "assistant")),
                    _connector="OR",
                ),
                name="chat_message_answers_reply_to_a_question",
                violation_error_message="An answer replies to a question; a question replies to nothing.",
            ),
        ),
        migrations.AddConstraint(
            model_name="chatmessage",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("role", "user"), ("client_message_id__isnull", True), _connector="OR"
                ),
                name="chat_message_client_id_on_questions_only",
                violation_error_message="Only a question carries a client message id.",
            ),
        ),
        migrations.AddConstraint(
            model_name="chatmessage",
            constraint=models.CheckConstraint(
                condition=models.Q(("client_message_id", ""), _negated=True),
                name="chat_message_client_id_not_empty",
                violation_error_message="A client message id cannot be empty.",
            ),
        ),
        migrations.AddConstraint(
            model_name="chatmessage",
            constraint=models.CheckConstraint(
                condition=models.Q(("content", ""), _negated=True),
                name="chat_message_content_not_empty",
                violation_error_message="A message cannot be empty.",
            ),
        ),
        migrations.RunPython(
            postgresql_only(REPLY_SAME_SESSION_FK), postgresql_only(DROP_REPLY_SAME_SESSION_FK)
        ),
    ]
