"""Every conversation's messages are numbered 1…n and counted in ``message_count``, and
every answer replies to a question, before the database starts holding it (0004,
``chat_message_session``).

An answer that replies to another answer cannot be given a question back: it goes to
``integrity.QuarantinedRow`` with its original values and the reason (with any answer
that replied to it in turn), as the audit's repair does. Then each conversation whose
count or numbering drifted is renumbered in the order its messages were numbered and
recounted. Safe to re-run; going back changes nothing.
"""

from django.db import migrations, transaction
from django.db.models import Count, F, Max, Q

MESSAGES = "assistant_chat_chatmessage"
COLUMNS = (
    "id",
    "session_id",
    "sequence",
    "role",
    "content",
    "client_message_id",
    "reply_to_id",
    "created_at",
)
# Moves a conversation's numbers out of the way before it is renumbered 1…n.
OFFSET = 1_000_000_000


def quarantine_answers_to_answers(apps, db) -> int:
    Message = apps.get_model("assistant_chat", "ChatMessage")
    Quarantine = apps.get_model("integrity", "QuarantinedRow")
    taken = 0
    while True:
        rows = list(
            Message.objects.using(db)
            .filter(reply_to__isnull=False)
            .exclude(reply_to__role="user")
            .order_by("pk")
            .values(*COLUMNS)
        )
        if not rows:
            return taken
        with transaction.atomic(using=db):
            Quarantine.objects.using(db).bulk_create(
                Quarantine(
                    source_table=MESSAGES,
                    source_pk=str(row["id"]),
                    data={
                        **row,
                        "session_id": str(row["session_id"]),
                        "created_at": row["created_at"].isoformat(),
                    },
                    reason=f"assistant_chat 0003: chat_message_session: it replies to "
                    f"message #{row['reply_to_id']}, an answer, not a question",
                )
                for row in rows
            )
            Message.objects.using(db).filter(pk__in=[row["id"] for row in rows]).delete()
        taken += len(rows)


def renumber(apps, db) -> int:
    Session = apps.get_model("assistant_chat", "ChatSession")
    Message = apps.get_model("assistant_chat", "ChatMessage")
    drifted = list(
        Session.objects.using(db)
        .annotate(n=Count("messages"), top=Max("messages__sequence"))
        .filter(~Q(message_count=F("n")) | ~Q(top=F("n")))
        .values_list("pk", flat=True)
    )
    for session_id in drifted:
        with transaction.atomic(using=db):
            messages = Message.objects.using(db).filter(session_id=session_id)
            ordered = list(messages.order_by("sequence", "pk").values_list("pk", flat=True))
            messages.update(sequence=F("sequence") + OFFSET)
            for number, pk in enumerate(ordered, start=1):
                Message.objects.using(db).filter(pk=pk).update(sequence=number)
            Session.objects.using(db).filter(pk=session_id).update(message_count=len(ordered))
    return len(drifted)


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    quarantined = quarantine_answers_to_answers(apps, db)
    renumbered = renumber(apps, db)
    if quarantined or renumbered:
        print(
            f"\n  assistant_chat 0003: {quarantined} answer(s) to an answer quarantined, "
            f"{renumbered} conversation(s) renumbered and recounted"
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("assistant_chat", "0002_help_texts_for_staff"),
        ("integrity", "0003_integrity_audits"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
