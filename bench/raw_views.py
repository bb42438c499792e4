"""The baseline: the booking transaction in raw SQL, without the ORM, forms or services.

It runs behind the same middleware (session, authentication, CSRF) as the real
booking view, so the ratio measures what Studyhall's own layers cost. Mounted only
by ``config.settings.bench``.
"""

import psycopg.errors
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_POST

from orders.models import new_reference


@require_POST
def raw_book(request):
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    try:
        session_id = int(request.POST["session"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("session")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE workshops_workshopsession
                   SET seats_taken = seats_taken + 1
                 WHERE id = %s AND cancelled_at IS NULL
                   AND (capacity IS NULL OR seats_taken < capacity)
                RETURNING run_id, workshop_id
                """,
                [session_id],
            )
            row = cursor.fetchone()
            if row is None:
                return HttpResponse("full", status=409)
            run_id, workshop_id = row
            cursor.execute(
                """
                INSERT INTO orders_order (reference, buyer_id, status, created_at, updated_at)
                VALUES (%s, %s, 'confirmed', now(), now()) RETURNING id
                """,
                [new_reference(), request.user.pk],
            )
            (order_id,) = cursor.fetchone()
            cursor.execute(
                """
                INSERT INTO orders_orderitem (order_id, buyer_id, attendee_id, session_id,
                    run_id, workshop_id, price, status, created_at)
                SELECT %s, %s, %s, %s, %s, %s, w.price, 'active', now()
                  FROM workshops_workshop w WHERE w.id = %s
                """,
                [
                    order_id,
                    request.user.pk,
                    request.user.pk,
                    session_id,
                    run_id,
                    workshop_id,
                    workshop_id,
                ],
            )
    except IntegrityError as error:
        if isinstance(error.__cause__, psycopg.errors.UniqueViolation):
            return HttpResponse("already booked", status=409)
        raise
    return HttpResponse(status=201)
