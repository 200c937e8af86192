from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

import decisions.demo
import grants.demo
import partners.demo
from partners.models import User

DEFAULT_DEMO_PASSWORD = "demo-password-2024"


class Command(BaseCommand):
    help = "Loads the demo data and accounts. Idempotent: a second run changes nothing."

    def handle(self, *args, **options):
        password = settings.DEMO_PASSWORD
        if settings.IS_PRODUCTION and not password:
            raise CommandError(
                "seed_demo refuses to run under production settings unless DEMO_PASSWORD is set"
            )
        with transaction.atomic():
            partnership = partners.demo.seed(password=password or DEFAULT_DEMO_PASSWORD)
            grants.demo.seed(
                partnership=partnership, staff=User.objects.get(email="staff@demo.example")
            )
            decisions.demo.seed()
        if options["verbosity"] == 0:
            return
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            f"Demo accounts (password from DEMO_PASSWORD, default {DEFAULT_DEMO_PASSWORD}):"
        )
        for email, full_name, roles, organisation in partners.demo.ACCOUNTS:
            self.stdout.write(f"  {email:<26} {', '.join(roles):<16} {full_name}, {organisation}")
        keys = partners.demo.second_factor_keys()
        if keys:
            self.stdout.write(
                "Staff-side accounts set up an authenticator app when they first sign in. "
                "Add each key to an app first (or read the code with `oathtool --totp -b KEY`):"
            )
            for email, key in keys:
                self.stdout.write(f"  {email:<26} {key}")
