"""`manage.py provision`: make (or converge) the AWS resources Darkroom needs, then write
their names into zappa_settings.json. Safe to run again; run it once more after
`zappa deploy web` to link the results stream to the web function."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create or update the buckets, topic, table and queue; write zappa_settings.json."

    def add_arguments(self, parser):
        parser.add_argument("--region", default=None, help="AWS region (default: the profile's)")
        parser.add_argument("--profile", default=None, help="AWS profile name")
        parser.add_argument("--prefix", default="darkroom", help="name prefix of every resource")
        parser.add_argument(
            "--endpoint-url", default=None, help="an AWS emulator, for a rehearsal (moto server)"
        )
        parser.add_argument(
            "--site-origin",
            action="append",
            dest="site_origins",
            default=None,
            help="origin allowed to POST uploads to the bucket (repeatable; default: any API "
            "Gateway URL of the region)",
        )
        parser.add_argument(
            "--database-url", default=None, help="stored with the web function's secrets"
        )
        parser.add_argument(
            "--subnet-id",
            action="append",
            dest="subnet_ids",
            default=None,
            help="a private subnet of the database's VPC for the web function (repeat for "
            "each availability zone); adds S3 and DynamoDB gateway endpoints to its routes",
        )
        parser.add_argument(
            "--security-group-id",
            action="append",
            dest="security_group_ids",
            default=None,
            help="the web function's security group (default: one made for it)",
        )
        parser.add_argument(
            "--database-security-group-id",
            default=None,
            help="the database's security group: lets the web function in on port 5432",
        )
        parser.add_argument(
            "--settings-file",
            default=str(Path(settings.BASE_DIR) / "zappa_settings.json"),
            help="the Zappa settings to update",
        )
        parser.add_argument(
            "--no-write", action="store_true", help="provision but leave the settings file alone"
        )

    def handle(self, *args, **options):
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError

        from webapp.photos.aws.infra import Provisioner, outputs_as_dict, update_zappa_settings

        session = boto3.Session(profile_name=options["profile"], region_name=options["region"])
        if not session.region_name:
            raise CommandError("no region: pass --region or configure one for the profile")
        provisioner = Provisioner(session, endpoint_url=options["endpoint_url"])
        try:
            outputs = provisioner.provision(
                prefix=options["prefix"],
                site_origins=options["site_origins"],
                database_url=options["database_url"],
                subnet_ids=options["subnet_ids"],
                security_group_ids=options["security_group_ids"],
                database_security_group_id=options["database_security_group_id"],
            )
        except (BotoCoreError, ClientError, ValueError) as exc:
            raise CommandError(f"provisioning failed: {exc}") from exc
        if not options["no_write"]:
            update_zappa_settings(Path(options["settings_file"]), outputs)
        self.stdout.write(json.dumps(outputs_as_dict(outputs), indent=2))
        if not outputs.stream_mapping:
            self.stdout.write(
                "The web function does not exist yet: after `zappa deploy web`, run provision "
                "again to connect the results stream to it."
            )
