"""Demo users, linked accounts and offers for ``make run``; safe to run again.

The bank's ``demo_data --output FILE`` writes the account numbers and API credentials
that this command reads with ``--bank-file FILE``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import SettlementAccount
from offers.models import Category, Offer
from offers.services import offer_create
from users.models import User

# email, name, language, staff, payout (sellers)
PEOPLE = [
    ("buyer@demo.test", "Boris Buyer", "en", False, False),
    ("pokupatel@demo.test", "Полина Покупателева", "ru", False, False),
    ("seller@demo.test", "Sophia Seller", "en", False, True),
    ("prodavec@demo.test", "Пётр Продавцов", "ru", False, True),
    ("staff@demo.test", "Marketplace Staff", "en", True, False),
]
# seller, category, title, price in roubles, quantity
OFFERS = [
    ("seller@demo.test", "electronics", "Noise-cancelling headphones", 8_990, 12),
    ("seller@demo.test", "electronics", "Mechanical keyboard, brown switches", 6_450, 7),
    ("seller@demo.test", "electronics", "27-inch 4K monitor", 31_900, 3),
    ("seller@demo.test", "electronics", "USB-C charger, 65 W", 2_190, 40),
    ("seller@demo.test", "electronics", "E-reader with warm light", 12_500, 5),
    ("seller@demo.test", "books", "The Pragmatic Programmer", 2_400, 9),
    ("seller@demo.test", "books", "Designing Data-Intensive Applications", 3_900, 6),
    ("seller@demo.test", "books", "A field guide to mushrooms", 1_150, 14),
    ("seller@demo.test", "sports", "Trail running shoes, size 42", 7_800, 4),
    ("seller@demo.test", "sports", "Yoga mat, 6 mm", 1_990, 25),
    ("seller@demo.test", "sports", "Road bicycle helmet", 4_300, 8),
    ("seller@demo.test", "home-garden", "Cast-iron frying pan", 3_250, 10),
    ("seller@demo.test", "home-garden", "Ceramic teapot, 1 litre", 1_780, 15),
    ("seller@demo.test", "services", "Bicycle tune-up", 2_500, 30),
    ("seller@demo.test", "clothing", "Wool scarf, grey", 1_450, 20),
    ("prodavec@demo.test", "books", "Мастер и Маргарита, подарочное издание", 1_890, 11),
    ("prodavec@demo.test", "books", "Война и мир, четыре тома", 3_400, 4),
    ("prodavec@demo.test", "books", "Сборник стихов Ахматовой", 950, 18),
    ("prodavec@demo.test", "home-garden", "Самовар электрический, 3 литра", 6_700, 5),
    ("prodavec@demo.test", "home-garden", "Набор семян томатов", 320, 100),
    ("prodavec@demo.test", "home-garden", "Плед шерстяной", 2_950, 9),
    ("prodavec@demo.test", "clothing", "Валенки ручной работы", 4_200, 6),
    ("prodavec@demo.test", "clothing", "Шапка-ушанка", 2_100, 12),
    ("prodavec@demo.test", "sports", "Лыжи беговые с креплениями", 9_800, 3),
    ("prodavec@demo.test", "sports", "Коньки хоккейные, размер 43", 5_600, 4),
    ("prodavec@demo.test", "electronics", "Радиоприёмник всеволновый", 3_750, 7),
    ("prodavec@demo.test", "services", "Уроки игры на балалайке, час", 1_500, 50),
    ("prodavec@demo.test", "other", "Открытки с видами Петербурга, набор", 450, 60),
    ("prodavec@demo.test", "other", "Матрёшка, 7 кукол", 2_300, 10),
    ("prodavec@demo.test", "electronics", "Фотоаппарат плёночный «Зенит»", 7_900, 2),
]


class Command(BaseCommand):
    help = "Create demo users with linked accounts and a few dozen offers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bank-file",
            type=Path,
            required=True,
            help="The JSON written by the bank's demo_data --output.",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        bank = json.loads(options["bank_file"].read_text())
        password = bank["password"]
        users = {}
        for email, name, language, staff, payout in PEOPLE:
            user = _demo_login(
                email, password, name=name, language=language, is_staff=staff, is_superuser=staff
            )
            users[email] = user
            number = bank["accounts"].get(email)
            if number:
                SettlementAccount.objects.get_or_create(
                    user=user,
                    number=number,
                    defaults={
                        "status": SettlementAccount.Status.LINKED,
                        "is_default_payout": payout,
                        "linked_at": timezone.now(),
                        "bank_operation_id": "demo",
                    },
                )
        if not Offer.objects.exists():
            for seller, category, title, price, quantity in OFFERS:
                offer_create(
                    seller=users[seller],
                    title=title,
                    description=_description(title, users[seller].language),
                    price=price * 100,
                    quantity=quantity,
                    category=Category.objects.get(slug=category),
                )
        self.stdout.write(
            f"Marketplace demo data ready: {len(users)} users, {Offer.objects.count()} offers."
        )


def _description(title: str, language: str) -> str:
    """A demo offer's description, in its seller's language."""
    with translation.override(language):
        note = gettext("A demo offer: nothing is shipped.")
    return f"{title}. {note}"


def _demo_login(email: str, password: str, **fields: Any) -> User:
    """The demo user ``email``, created if missing, who signs in with ``password``.

    One whose password was changed gets the demo password back, so that the README's
    logins work after every run.
    """
    user = User.objects.filter(email=email).first()
    if user is None:
        return User.objects.create_user(email, password, **fields)
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user
