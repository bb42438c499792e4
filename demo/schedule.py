"""The demo schedule: workshops, runs, sessions, students and their bookings.

Realistic, idempotent, and dated relative to the day it is seeded."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from demo.accounts import demo_user
from orders.rules import BookingError
from orders.services.booking import seat_book
from orders.services.cancellation import sessions_cancel
from workshops.models import Category, Workshop, WorkshopRun, WorkshopSession

# (slug, name, Arabic name): the store's chips, in this order.
CATEGORIES = (
    ("art", "Art", "فنون"),
    ("technology", "Technology", "تقنية"),
    ("languages", "Languages and speaking", "لغات وخطابة"),
    ("life-skills", "Life skills", "مهارات حياتية"),
)
# A run's first day given as this many days into next month rather than from today, so
# "next month" in the store always has something to find, whatever day it is seeded.
NEXT_MONTH = 1000


@dataclass(frozen=True)
class DemoWorkshop:
    slug: str
    title: str
    title_ar: str
    description: str
    capacity: int | None
    price: Decimal
    # (run name, Arabic name, days from today to the first session, day offsets, times);
    # NEXT_MONTH + n: the (n+1)th day of next month.
    runs: tuple[tuple[str, str, int, tuple[int, ...], tuple[str, str]], ...]
    category: str = ""


# Each workshop's description in Arabic, so the demo shows a wholly Arabic store.
DESCRIPTIONS_AR = {
    "arabic-calligraphy": "حروف خط النسخ وأقلام القصب والحبر: ثلاثة صباحات من أول ضربة قلم "
    "حتى آية مؤطرة.",
    "intro-to-python": "المتغيرات والحلقات والدوال من خلال بناء لعبة أسئلة صغيرة. "
    "نوفّر أجهزة الحاسوب.",
    "public-speaking": "مفتوح للجميع: رتّب حديثك، وتغلّب على التوتر، وألقِ كلمتك بثقة.",
    "watercolour-landscapes": "الغسلات اللونية وسماء الرطب على الرطب وضوء الصحراء، في "
    "صباحين هادئين.",
    "financial-literacy-teens": "الميزانية والادخار وحساب الفائدة، بألعاب من الحياة اليومية.",
    "robotics-arduino": "ابنِ روبوتًا يتتبع الخط وبرمجه. مجموعات صغيرة: أربعة مقاعد في كل جلسة.",
    "thuluth-calligraphy": "لمن يكتب خط النسخ: خط الثلث الجليل، ونسبه المقيسة بالنقاط المعيّنة.",
    "phone-photography": "الضوء والتكوين والتحرير بالهاتف الذي تملكه، في جولة في السوق القديم.",
    "web-pages": "اكتب صفحة عن نفسك وانشرها على الويب. نوفّر أجهزة الحاسوب.",
    "scratch-games": "من 8 إلى 12 سنة: اصنع لعبة فيها شخصيات وأصوات ونقاط، ثم تبادلوا "
    "الألعاب والعبوا.",
    "english-conversation": "مجاني ومفتوح لكل المستويات: ساعة من الحديث في موضوع جديد كل أسبوع.",
    "french-beginners": "التحية والأرقام والطلب في المقهى، بالأغاني وتمثيل الأدوار.",
    "creative-writing-arabic": "قصص قصيرة وقصائد بالعربية، مع أمسية قراءة في ختام الدورة.",
    "study-skills": "ضع جدولًا للمراجعة، ودوّن ملاحظات تنفعك، وحافظ على هدوئك يوم الامتحان.",
    "first-aid-families": "الحروق والجروح والاختناق ومتى تطلب المساعدة، بالتدريب على دمى الإسعاف.",
    "chess-strategy": "الافتتاحيات والتثبيت والشوكة، وكيف تحوّل الموقف الرابح إلى فوز.",
}

MORNING = ("09:00", "12:00")
EVENING = ("18:00", "20:30")

WORKSHOPS = (
    DemoWorkshop(
        "arabic-calligraphy",
        "Arabic Calligraphy for Beginners",
        "الخط العربي للمبتدئين",
        "Naskh letterforms, reed pens and ink: three mornings from first strokes to a framed "
        "verse.",
        10,
        Decimal("45.00"),
        (
            ("Previous cohort", "الدفعة السابقة", -21, (0, 1, 2), MORNING),
            ("Next cohort", "الدفعة القادمة", 9, (0, 1, 2), MORNING),
            ("Winter cohort", "الدفعة الشتوية", NEXT_MONTH + 7, (0, 1, 2), MORNING),
        ),
        category="art",
    ),
    DemoWorkshop(
        "intro-to-python",
        "Intro to Python Programming",
        "مقدمة في برمجة بايثون",
        "Variables, loops and functions by building a small quiz game. Laptops provided.",
        12,
        Decimal("60.00"),
        (
            ("Weekday cohort", "دفعة أيام الأسبوع", 5, (0, 2, 4), EVENING),
            ("Weekend cohort", "دفعة نهاية الأسبوع", 19, (0, 1), MORNING),
        ),
        category="technology",
    ),
    DemoWorkshop(
        "public-speaking",
        "Public Speaking Bootcamp",
        "معسكر الخطابة",
        "Open to everyone: structure a talk, calm the nerves, and deliver with confidence.",
        None,
        Decimal("0.00"),
        (
            ("Autumn evenings", "أمسيات الخريف", 3, (0, 7), EVENING),
            ("Winter evenings", "أمسيات الشتاء", 31, (0, 7), EVENING),
        ),
        category="languages",
    ),
    DemoWorkshop(
        "watercolour-landscapes",
        "Watercolour Landscapes",
        "رسم المناظر بالألوان المائية",
        "Washes, wet-on-wet skies and desert light, in two relaxed mornings.",
        8,
        Decimal("35.00"),
        (
            ("First run", "الدورة الأولى", 6, (0, 1), MORNING),
            ("Second run", "الدورة الثانية", 27, (0, 1), MORNING),
        ),
        category="art",
    ),
    DemoWorkshop(
        "financial-literacy-teens",
        "Financial Literacy for Teens",
        "الثقافة المالية للمراهقين",
        "Budgets, saving and the maths of interest, with real-life games.",
        15,
        Decimal("20.00"),
        (
            ("Term one", "الفصل الأول", 8, (0, 7, 14), EVENING),
            ("Term two", "الفصل الثاني", 40, (0, 7, 14), EVENING),
        ),
        category="life-skills",
    ),
    DemoWorkshop(
        "robotics-arduino",
        "Robotics with Arduino",
        "الروبوتات باستخدام أردوينو",
        "Build and program a line-following robot. Small groups: four seats per session.",
        4,
        Decimal("80.00"),
        (
            ("Spring build", "بناء الربيع", 4, (0, 1), MORNING),
            ("Summer build", "بناء الصيف", 33, (0, 1), MORNING),
        ),
        category="technology",
    ),
)

# More workshops, so the store has a second page, every category has several and the
# filters have something to tell apart (free, cheap and dear; this week and next month).
WORKSHOPS += (
    DemoWorkshop(
        "thuluth-calligraphy",
        "Thuluth Calligraphy Masterclass",
        "دورة متقدمة في خط الثلث",
        "For those who already write Naskh: the grand Thuluth script, its proportions "
        "measured in rhombic dots.",
        6,
        Decimal("90.00"),
        (("Winter masterclass", "ورشة الشتاء", NEXT_MONTH + 11, (0, 1), MORNING),),
        category="art",
    ),
    DemoWorkshop(
        "phone-photography",
        "Phone Photography Walk",
        "التصوير بالهاتف",
        "Light, framing and editing on the phone you already have, on a walk through the old "
        "market.",
        12,
        Decimal("15.00"),
        (
            ("Morning walk", "جولة الصباح", 2, (0,), MORNING),
            ("Evening walk", "جولة المساء", NEXT_MONTH + 3, (0,), EVENING),
        ),
        category="art",
    ),
    DemoWorkshop(
        "web-pages",
        "Web Pages with HTML and CSS",
        "صفحات الويب باستخدام HTML و CSS",
        "Write and publish a one-page site about yourself. Laptops provided.",
        12,
        Decimal("55.00"),
        (("Evening course", "الدورة المسائية", 12, (0, 2, 4), EVENING),),
        category="technology",
    ),
    DemoWorkshop(
        "scratch-games",
        "Scratch Games for Kids",
        "ألعاب سكراتش للأطفال",
        "Ages 8 to 12: make a game with sprites, sounds and a score, then swap and play.",
        10,
        Decimal("25.00"),
        (
            ("Saturday club", "نادي السبت", 1, (0, 7), MORNING),
            ("Holiday club", "نادي العطلة", NEXT_MONTH + 1, (0, 1, 2), MORNING),
        ),
        category="technology",
    ),
    DemoWorkshop(
        "english-conversation",
        "English Conversation Club",
        "نادي المحادثة الإنجليزية",
        "Free and open to every level: an hour of talk on a new topic each week.",
        None,
        Decimal("0.00"),
        (("Weekly club", "اللقاء الأسبوعي", 2, (0, 7, 14, 21, 28, 35), EVENING),),
        category="languages",
    ),
    DemoWorkshop(
        "french-beginners",
        "French for Beginners",
        "الفرنسية للمبتدئين",
        "Greetings, numbers and ordering in a café, with songs and role play.",
        10,
        Decimal("40.00"),
        (("Winter term", "الفصل الشتوي", NEXT_MONTH + 5, (0, 7, 14), EVENING),),
        category="languages",
    ),
    DemoWorkshop(
        "creative-writing-arabic",
        "Creative Writing in Arabic",
        "الكتابة الإبداعية بالعربية",
        "Short stories and poems in Arabic, with a reading at the end of the run.",
        10,
        Decimal("35.00"),
        (("Story run", "دورة القصة", 15, (0, 7), EVENING),),
        category="languages",
    ),
    DemoWorkshop(
        "study-skills",
        "Study Skills and Exam Prep",
        "مهارات الدراسة والاستعداد للامتحانات",
        "Plan a revision timetable, take notes that work and keep calm on the day.",
        20,
        Decimal("10.00"),
        (("Before exams", "قبل الامتحانات", 6, (0, 1), EVENING),),
        category="life-skills",
    ),
    DemoWorkshop(
        "first-aid-families",
        "First Aid for Families",
        "الإسعافات الأولية للعائلات",
        "Burns, cuts, choking and when to call for help, practised on manikins.",
        16,
        Decimal("30.00"),
        (("Family morning", "صباح العائلة", NEXT_MONTH + 9, (0,), MORNING),),
        category="life-skills",
    ),
    DemoWorkshop(
        "chess-strategy",
        "Chess Strategy",
        "استراتيجية الشطرنج",
        "Openings, pins and forks, and how to turn a won position into a win.",
        8,
        Decimal("20.00"),
        (("Tournament prep", "التحضير للبطولة", 10, (0, 3, 7), EVENING),),
        category="life-skills",
    ),
)


CANCELLED_SESSION = ("watercolour-landscapes", "First run", 2)
STUDENTS = (
    ("amira", "Amira", "Saleh"),
    ("omar", "Omar", "Nasser"),
    ("lina", "Lina", "Khoury"),
    ("yusuf", "Yusuf", "Haddad"),
)
# (student, workshop slug, run name, day): booked through the real booking service.
# Robotics' "Spring build" Day 1 has four seats and four bookings: it reads Full.
BOOKINGS = (
    *((student, "robotics-arduino", "Spring build", 1) for student, *_ in STUDENTS),
    ("amira", "robotics-arduino", "Spring build", 2),
    ("amira", "intro-to-python", "Weekday cohort", 1),
    ("omar", "intro-to-python", "Weekday cohort", 1),
    ("lina", "intro-to-python", "Weekday cohort", 2),
    ("omar", "arabic-calligraphy", "Next cohort", 1),
    ("lina", "public-speaking", "Autumn evenings", 1),
    ("yusuf", "watercolour-landscapes", "First run", 1),
    ("yusuf", "financial-literacy-teens", "Term one", 1),
)


def _time(value: str) -> datetime.time:
    return datetime.time.fromisoformat(value)


def _first_date(today: datetime.date, first_day: int) -> datetime.date:
    if first_day < NEXT_MONTH:
        return today + datetime.timedelta(days=first_day)
    next_month = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return next_month + datetime.timedelta(days=first_day - NEXT_MONTH)


def seed_categories() -> dict[str, Category]:
    categories = {}
    for position, (slug, name, name_ar) in enumerate(CATEGORIES, start=1):
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_ar": name_ar, "position": position}
        )
    return categories


@transaction.atomic
def seed_schedule(today: datetime.date) -> list[Workshop]:
    categories = seed_categories()
    workshops = []
    for spec in WORKSHOPS:
        workshop, _ = Workshop.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "title": spec.title,
                "title_ar": spec.title_ar,
                "description": spec.description,
                "description_ar": DESCRIPTIONS_AR[spec.slug],
                "default_capacity": spec.capacity,
                "price": spec.price,
                "category": categories.get(spec.category),
            },
        )
        if workshop.category_id is None and spec.category:
            # Demo databases seeded before there were categories get theirs.
            workshop.category = categories[spec.category]
            workshop.save(update_fields=["category"])
        workshops.append(workshop)
        for name, name_ar, first_day, offsets, (start, end) in spec.runs:
            start_date = _first_date(today, first_day)
            run, _ = WorkshopRun.objects.get_or_create(
                workshop=workshop,
                name=name,
                defaults={
                    "name_ar": name_ar,
                    "start_date": start_date,
                    "end_date": start_date + datetime.timedelta(days=offsets[-1]),
                },
            )
            for number, offset in enumerate(offsets, start=1):
                WorkshopSession.objects.get_or_create(
                    run=run,
                    number=number,
                    defaults={
                        "workshop": workshop,
                        "date": run.start_date + datetime.timedelta(days=offset),
                        "start_time": _time(start),
                        "end_time": _time(end),
                        "capacity": spec.capacity,
                    },
                )
    slug, run_name, number = CANCELLED_SESSION
    cancelled = WorkshopSession.objects.filter(
        workshop__slug=slug, run__name=run_name, number=number
    ).values_list("pk", flat=True)
    sessions_cancel(session_ids=cancelled)  # as staff would: seats too, and it keeps its time
    return workshops


@transaction.atomic
def seed_students() -> list[User]:
    return [demo_user(*student) for student in STUDENTS]


def seed_bookings() -> int:
    """Book the demo seats through the booking service. A seat already held is
    skipped, and so is one the schedule no longer allows (someone took the last seat,
    staff cancelled the session): the demo never overrides a rule.

    Returns how many seats were booked now.
    """
    booked = 0
    for username, slug, run_name, number in BOOKINGS:
        session = WorkshopSession.objects.select_related("workshop").get(
            workshop__slug=slug, run__name=run_name, number=number
        )
        buyer = User.objects.get(username=username)
        try:
            seat_book(buyer=buyer, workshop=session.workshop, session_id=session.pk)
        except BookingError:
            continue
        booked += 1
    return booked


# A family order: the parent books calligraphy for both children at once (after
# ``seed_people`` made the family).
FAMILY_BOOKING = ("mariam", ("layla", "zaid"), "arabic-calligraphy", "Next cohort", 1)


def seed_family_booking() -> int:
    """The family order, through the booking service: one order, a seat for each child.
    Skipped when a child already holds a seat there. Returns how many seats it booked."""
    parent, children, slug, run_name, number = FAMILY_BOOKING
    session = WorkshopSession.objects.select_related("workshop").get(
        workshop__slug=slug, run__name=run_name, number=number
    )
    attendees = list(User.objects.filter(username__in=children).order_by("username"))
    try:
        seat = seat_book(
            buyer=User.objects.get(username=parent),
            workshop=session.workshop,
            session_id=session.pk,
            attendees=attendees,
        )
    except BookingError:
        return 0
    return seat.order.seats.count()
