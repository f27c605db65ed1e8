"""A million marketplace offers, made by PostgreSQL itself (INSERT ... SELECT FROM
generate_series) for ``catalogue.py``.

Titles join an adjective, a noun of the offer's category, a brand and a colour; the
descriptions join stock sentences with random words from a mixed English and Russian
vocabulary, so that full-text search sees variety in both languages. One offer in 40,000
sells a theremin: the rare word. The migration's trigger fills ``search_vector`` on insert;
the secondary indexes are dropped for the load and rebuilt from their own definitions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
from psycopg import sql

RARE_WORD = "theremin"
RARE_EVERY = 40_000

# Eight nouns per seeded category, in the categories' order (migration 0004).
CATEGORY_NOUNS: dict[str, list[str]] = {
    "electronics": [
        "smartphone", "laptop", "headphones", "monitor",
        "смартфон", "ноутбук", "наушники", "планшет",
    ],
    "home-garden": ["lamp", "sofa", "drill", "kettle", "лампа", "диван", "дрель", "чайник"],
    "clothing": [
        "jacket", "sneakers", "dress", "boots", "куртка", "кроссовки", "платье", "ботинки",
    ],
    "books": [
        "novel", "textbook", "atlas", "cookbook", "роман", "учебник", "словарь", "энциклопедия",
    ],
    "sports": ["bicycle", "skis", "tent", "dumbbells", "велосипед", "лыжи", "палатка", "гантели"],
    "services": [
        "repair", "tutoring", "cleaning", "photography",
        "ремонт", "репетитор", "уборка", "фотосессия",
    ],
    "other": [
        "guitar", "piano", "aquarium", "stroller", "гитара", "пианино", "аквариум", "коляска",
    ],
}  # fmt: skip
ADJECTIVES = [
    "New", "Used", "Vintage", "Compact", "Professional", "Original", "Almost new", "Cheap",
    "Новый", "Б/у", "Отличный", "Редкий", "Детский", "Большой", "Недорогой", "Почти новый",
]  # fmt: skip
BRANDS = [
    "Samsung", "Bosch", "IKEA", "Nike", "Apple", "Xiaomi", "Philips", "Stihl", "Adidas",
    "Lego", "Yamaha", "Canon", "Sony", "Makita", "Zara", "Decathlon", "Эксмо", "Атлант",
]  # fmt: skip
COLOURS = [
    "black", "white", "red", "blue", "green", "grey",
    "чёрный", "белый", "красный", "синий", "зелёный", "серый",
]  # fmt: skip
CONDITIONS = [
    "In perfect condition, used only a few times.",
    "Works well, some scratches on the case.",
    "Brand new in the original box with the receipt.",
    "Отличное состояние, почти не использовался.",
    "Есть следы использования, всё работает.",
    "Новый, в упаковке, с чеком и гарантией.",
]
DELIVERY = [
    "Pickup near the metro or delivery by courier.",
    "Shipping across the country, payment through the platform.",
    "Самовывоз у метро или доставка курьером.",
    "Отправлю почтой после оплаты.",
    "",
    "",
]
_VOCABULARY_TEXT = """warranty receipt box charger cable battery screen keyboard wireless bluetooth
leather cotton wool wooden metal plastic glass handmade gift kids adult winter summer spring
autumn garden kitchen office travel camping fishing running football tennis yoga hiking
portable powerful quiet durable lightweight waterproof spare parts manual instructions
collection edition hardcover paperback illustrated signed classic modern antique retro
гарантия чек коробка зарядка кабель аккумулятор экран клавиатура беспроводной кожаный
хлопок шерсть деревянный металлический стеклянный ручная работа подарок детям зимний летний
весенний осенний сад кухня офис путешествия поход рыбалка бег футбол теннис йога мощный
тихий прочный лёгкий водонепроницаемый запчасти инструкция коллекция издание переплёт
иллюстрации классика антиквариат"""
VOCABULARY = _VOCABULARY_TEXT.split()
FIRST_NAMES = ["Ivan", "Anna", "Maria", "Oleg", "Olga", "Sergey", "Пётр", "Елена", "Дмитрий"]
LAST_NAMES = ["Petrov", "Smirnova", "Ivanov", "Kuznetsova", "Соколов", "Попова", "Лебедев"]

SELLERS_SQL = """
INSERT INTO users_user (password, is_superuser, email, name, language, is_active, is_staff,
                        date_joined)
SELECT '!', false, 'seller' || g || '@bench.test',
       (%(first)s::text[])[1 + g %% cardinality(%(first)s::text[])] || ' ' ||
       (%(last)s::text[])[1 + (g / 7) %% cardinality(%(last)s::text[])],
       CASE WHEN g %% 3 = 0 THEN 'en' ELSE 'ru' END, true, false,
       now() - g * interval '1 day'
FROM generate_series(1, %(count)s) AS g
"""


def _pick(array: str) -> str:
    """A random element of the text[] parameter ``array``, chosen per row."""
    return f"(%({array})s::text[])[1 + floor(random() * cardinality(%({array})s::text[]))::int]"


def _description() -> str:
    words = " || ' ' || ".join(_pick("vocabulary") for _ in range(6))
    return f"{_pick('conditions')} || ' ' || {words} || '. ' || {_pick('delivery')}"


OFFERS_SQL = f"""
INSERT INTO offers_offer (seller_id, title, description, price, quantity_available,
                          category_id, status, created_at, updated_at)
SELECT seller_id,
       adjective || ' ' || CASE WHEN g %% {RARE_EVERY} = 0 THEN '{RARE_WORD}'
                               ELSE (%(nouns)s::text[])[noun] END
                 || ' ' || brand || ' ' || colour,
       description, price, quantity,
       (%(categories)s::bigint[])[1 + (noun - 1) / 8],
       CASE WHEN state < 0.90 THEN 'active' WHEN state < 0.96 THEN 'paused' ELSE 'closed' END,
       created_at, created_at
FROM (
    SELECT g,
           1 + floor(random() * cardinality(%(nouns)s::text[]))::int AS noun,
           %(seller_min)s + floor(random() * %(sellers)s)::bigint AS seller_id,
           {_pick("adjectives")} AS adjective,
           {_pick("brands")} AS brand,
           {_pick("colours")} AS colour,
           {_description()} AS description,
           (round(power(10, 2 + random() * 3.3)) * 100)::bigint AS price,
           CASE WHEN random() < 0.03 THEN 0
                ELSE 1 + floor(power(random(), 3) * 50)::int END AS quantity,
           random() AS state,
           now() - (%(last)s - g) * interval '47 seconds'
                 - random() * interval '40 seconds' AS created_at
    FROM generate_series(%(first)s, %(last)s) AS g
    OFFSET 0
) AS rows
"""  # noqa: S608 (only this module's constants are formatted in)

SECONDARY_INDEXES_SQL = """
SELECT indexname, indexdef FROM pg_indexes
WHERE schemaname = 'public' AND tablename = 'offers_offer'
  AND indexname NOT IN (SELECT conname FROM pg_constraint)
"""


def _timed(say: Callable[[str], None], label: str, work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = work()
    say(f"  {label}: {time.perf_counter() - started:.1f} s")
    return result


def _word_lists(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    slugs = list(CATEGORY_NOUNS)
    rows = conn.execute(
        "SELECT slug, id FROM offers_category WHERE slug = ANY(%s)", [slugs]
    ).fetchall()
    ids = dict(rows)
    return {
        "nouns": [noun for nouns in CATEGORY_NOUNS.values() for noun in nouns],
        "categories": [ids[slug] for slug in slugs],
        "adjectives": ADJECTIVES,
        "brands": BRANDS,
        "colours": COLOURS,
        "conditions": CONDITIONS,
        "delivery": DELIVERY,
        "vocabulary": VOCABULARY,
    }


def _insert_sellers(conn: psycopg.Connection[Any], count: int) -> tuple[int, int]:
    params = {"first": FIRST_NAMES, "last": LAST_NAMES, "count": count}
    conn.execute(SELLERS_SQL, params)
    row = conn.execute("SELECT min(id), max(id) FROM users_user").fetchone()
    assert row is not None
    return row[0], row[1] - row[0] + 1


def _insert_offers(url: str, params: dict[str, Any], first: int, last: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(OFFERS_SQL, {**params, "first": first, "last": last})


def _insert_in_parallel(url: str, params: dict[str, Any], offers: int, parts: int) -> None:
    bounds = [(offers * i // parts + 1, offers * (i + 1) // parts) for i in range(parts)]
    with ThreadPoolExecutor(max_workers=parts) as pool:
        futures = [pool.submit(_insert_offers, url, params, a, b) for a, b in bounds]
        for future in futures:
            future.result()


def _build_index(url: str, definition: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute(definition)


def _build_each(url: str, definitions: list[str]) -> None:
    for definition in definitions:
        _build_index(url, definition)


def _build_indexes(url: str, definitions: list[str], parallel: int) -> None:
    """The GIN index alone on one connection (it builds serially), the B-trees beside it."""
    gin = [d for d in definitions if "USING gin" in d]
    rest = [d for d in definitions if d not in gin]
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = [pool.submit(_build_index, url, d) for d in gin]
        futures.append(pool.submit(_build_each, url, rest))
        for future in futures:
            future.result()


def load(url: str, *, offers: int, sellers: int, say: Callable[[str], None]) -> None:
    """Sellers, offers (search vectors by the trigger), indexes, VACUUM ANALYZE."""
    with psycopg.connect(url, autocommit=True) as conn:
        params = _word_lists(conn)
        params["seller_min"], params["sellers"] = _insert_sellers(conn, sellers)
        indexes = conn.execute(SECONDARY_INDEXES_SQL).fetchall()
        for name, _ in indexes:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    _timed(say, f"{offers} offers", lambda: _insert_in_parallel(url, params, offers, 2))
    definitions = [definition for _, definition in indexes]
    _timed(say, f"{len(definitions)} indexes", lambda: _build_indexes(url, definitions, 2))
    with psycopg.connect(url, autocommit=True) as conn:
        _timed(say, "VACUUM ANALYZE", lambda: conn.execute("VACUUM ANALYZE"))
        missing = conn.execute(
            "SELECT count(*) FROM offers_offer WHERE search_vector IS NULL"
        ).fetchone()
    if missing is None or missing[0]:
        raise RuntimeError(f"offers without a search vector: {missing}")
