from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.models import ApiClient
from api.services import api_client_create


class Command(BaseCommand):
    help = "Create an API client and print its credentials. The secret is shown only now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="A name for the client, such as 'marketplace'.")
        parser.add_argument(
            "--env",
            action="store_true",
            help="Print the credentials as BANK_API_CLIENT_ID=... lines for an env file.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name:
            raise CommandError("The name must not be empty.")
        if ApiClient.objects.filter(name=name).exists():
            raise CommandError(f"An API client named {name!r} already exists.")
        client, secret = api_client_create(name=name)
        if options["env"]:
            self.stdout.write(f"BANK_API_CLIENT_ID={client.client_id}")
            self.stdout.write(f"BANK_API_SECRET={secret}")
            return
        self.stdout.write(self.style.SUCCESS(f"Created API client {name!r}."))
        self.stdout.write(f"client id: {client.client_id}")
        self.stdout.write(f"secret:    {secret}")
        self.stdout.write("Store the secret now: the bank keeps only its hash.")
