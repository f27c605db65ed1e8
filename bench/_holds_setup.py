"""Run inside the bank project (cwd=bank): create payers and confirmed hold requests.

Prints JSON for ``holds.py``: the API credentials and, per hold, the place call (the
request's id, its key and data) and how much of it to capture. The variant (the third
argument) says who is paid, as in ``_bank_setup.py``: ``hot``, every hold to the same seller
and the platform's commission; ``spread``, each payer to a payee of his own, no commission.
"""

import json
import os
import sys
from datetime import timedelta

import django

django.setup()

from django.core import mail  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from api.services import api_client_create  # noqa: E402
from customers.models import Customer  # noqa: E402
from ledger.services import account_open, deposit_create  # noqa: E402
from operations.hold_requests import hold_request  # noqa: E402
from operations.models import AccountLink  # noqa: E402
from operations.services import Payee, code_confirm  # noqa: E402
from paylib.money import format_amount  # noqa: E402
from paylib.smtp_catcher import extract_code  # noqa: E402


def main(holds: int, payers: int, variant: str) -> None:
    client, secret = api_client_create(name="bench")
    platform = account_open(
        customer=Customer.objects.create_user("platform@bench.test", full_name="Platform"),
        holder="company",
    )
    sellers = [
        account_open(customer=Customer.objects.create_user(f"s{i}@bench.test", full_name="S"))
        for i in range(1 if variant == "hot" else payers)
    ]
    buyers = []
    for i in range(payers):
        account = account_open(
            customer=Customer.objects.create_user(f"b{i}@bench.test", full_name="B")
        )
        deposit_create(account=account, amount=10_000_000_00, created_by=None)
        AccountLink.objects.create(client=client, account=account)
        buyers.append(account)
    calls = []
    until = timezone.now() + timedelta(days=30)
    for n in range(holds):
        payer, seller = buyers[n % payers], sellers[n % len(sellers)]
        amount, fee = 100_00 + n, 5_00
        if variant == "hot":
            payees = [Payee(seller.number, amount - fee), Payee(platform.number, fee)]
        else:
            payees = [Payee(seller.number, amount)]
        mail.outbox = []
        with transaction.atomic():
            operation, _ = hold_request(
                client=client,
                payer_number=payer.number,
                payees=payees,
                amount=amount,
                description=f"bench hold {n}",
                hold_until=until,
                idempotency_key=f"bench-hold-{n:08d}",
            )
        code = extract_code(str(mail.outbox[-1].body))
        key = code_confirm(client=client, operation_id=str(operation.public_id), code=code).key
        calls.append(
            {
                "path": f"/api/v1/operations/{operation.public_id}/place/",
                "body": {
                    "idempotency_key": f"bench-{n:08d}:place",
                    "key": key,
                    "payer_account": payer.number,
                    "amount": format_amount(amount),
                    "payees": [
                        {"account": p.account_number, "amount": format_amount(p.amount)}
                        for p in payees
                    ],
                },
                # Every third hold is captured in part, as a partial refund in a dispute is.
                "capture": format_amount(amount * 2 // 3) if n % 3 == 0 else None,
                "n": n,
            }
        )
    json.dump({"client_id": client.client_id, "secret": secret, "calls": calls}, sys.stdout)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
