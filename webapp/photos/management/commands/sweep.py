"""`manage.py sweep`: the scheduled sweep, by hand or from cron outside AWS."""

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Re-dispatch photos stuck in processing; remove uploads whose ticket expired unused."

    def handle(self, *args, **options):
        from webapp.photos.aws.sweep import sweep

        self.stdout.write(json.dumps(sweep()))
