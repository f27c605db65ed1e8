"""Run inside the bank project (cwd=bank): create payers and confirmed payments.

Prints JSON for ``bank_transfers.py``: the API credentials and, per payment, the operation
id, its key and the data that executes it. The variant (the third argument) says who is
paid: ``hot``, every payment to the same seller and the platform's commission (a market's
busiest seller, and the account every payment credits); ``spread``, each payer to a payee
of his own, no commission (nothing shared between transfers but the server).
"""

import json
import os
import sys

import django

django.setup()

from django.core import mail  # noqa: E402
from django.db import transaction  # noqa: E402

from api.services import api_client_create  # noqa: E402
from customers.models import Customer  # noqa: E402
from ledger.services import account_open, deposit_create  # noqa: E402
from operations.models import AccountLink  # noqa: E402
from operations.services import Payee, code_confirm, payment_request  # noqa: E402
from paylib.money import format_amount  # noqa: E402
from paylib.smtp_catcher import extract_code  # noqa: E402


def main(payments: int, payers: int, variant: str) -> None:
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
    for n in range(payments):
        payer, seller = buyers[n % payers], sellers[n % len(sellers)]
        amount, fee = 100_00 + n, 5_00
        if variant == "hot":
            payees = [Payee(seller.number, amount - fee), Payee(platform.number, fee)]
        else:
            payees = [Payee(seller.number, amount)]
        mail.outbox = []
        with transaction.atomic():
            operation, _ = payment_request(
                client=client,
                payer_number=payer.number,
                payees=payees,
                amount=amount,
                description=f"bench {n}",
                idempotency_key=f"bench-{n:08d}",
            )
        code = extract_code(str(mail.outbox[-1].body))
        key = code_confirm(client=client, operation_id=str(operation.public_id), code=code).key
        calls.append(
            {
                "path": f"/api/v1/operations/{operation.public_id}/execute/",
                "body": {
                    "idempotency_key": f"bench-{n:08d}:execute",
                    "key": key,
                    "payer_account": payer.number,
                    "amount": format_amount(amount),
                    "payees": [
                        {"account": p.account_number, "amount": format_amount(p.amount)}
                        for p in payees
                    ],
                },
            }
        )
    json.dump({"client_id": client.client_id, "secret": secret, "calls": calls}, sys.stdout)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
