"""`python -m deploy provision|teardown|policies`: the operator's commands (the Makefile's
`provision` and `teardown` targets call them).

The database URL, which carries the password, is never an argument (it would be echoed by
make and kept in shell history and `ps`): it comes from DARKROOM_DATABASE_URL or a prompt.
"""

import argparse
import getpass
import json
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICIES_DIR = Path(__file__).resolve().parent / "policies"
DATABASE_URL_VARIABLE = "DARKROOM_DATABASE_URL"


def _session(args):
    import boto3

    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    if not session.region_name:
        raise SystemExit("no region: pass --region or configure one for the profile")
    return session


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", default=None, help="AWS region (default: the profile's)")
    parser.add_argument("--profile", default=None, help="AWS profile name")
    parser.add_argument("--prefix", default="darkroom", help="name prefix of every resource")
    parser.add_argument(
        "--endpoint-url",
        default=os.environ.get("AWS_ENDPOINT_URL") or None,
        help="an AWS emulator, for a rehearsal (moto server)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    provision = commands.add_parser(
        "provision",
        help="create or update the roles, buckets, topic, table, queue and log groups; "
        "write their names into zappa_settings.json",
    )
    _common(provision)
    provision.add_argument(
        "--site-origin",
        action="append",
        dest="site_origins",
        default=None,
        help="origin allowed to POST uploads to the bucket (repeatable; default: any API "
        "Gateway URL of the region)",
    )
    provision.add_argument(
        "--ask-database-url",
        action="store_true",
        help=f"prompt for the database URL (without echo) unless {DATABASE_URL_VARIABLE} is set",
    )
    provision.add_argument(
        "--subnet-id",
        action="append",
        dest="subnet_ids",
        default=None,
        help="a private subnet of the database's VPC for the web function (repeat for "
        "each availability zone); adds S3 and DynamoDB gateway endpoints to its routes",
    )
    provision.add_argument(
        "--security-group-id",
        action="append",
        dest="security_group_ids",
        default=None,
        help="the web function's security group (default: one made for it)",
    )
    provision.add_argument(
        "--database-security-group-id",
        default=None,
        help="the database's security group: lets the web function in on port 5432",
    )
    provision.add_argument(
        "--mail-from",
        default=os.environ.get("DEFAULT_FROM_EMAIL") or None,
        help="the SES identity the web function sends mail as (default: DEFAULT_FROM_EMAIL)",
    )
    provision.add_argument(
        "--settings-file",
        default=str(ROOT / "zappa_settings.json"),
        help="the Zappa settings to update",
    )
    provision.add_argument(
        "--no-write", action="store_true", help="provision but leave the settings file alone"
    )

    teardown = commands.add_parser(
        "teardown", help="remove everything provisioning and Zappa made (buckets emptied first)"
    )
    _common(teardown)
    teardown.add_argument(
        "--yes-delete-everything",
        action="store_true",
        dest="confirmed",
        help="required: the photos, the results and the secrets are deleted for good",
    )

    documents = commands.add_parser(
        "policies", help="write the functions' and the deployer's policies as JSON files"
    )
    documents.add_argument("--prefix", default="darkroom")
    documents.add_argument("--account", default="123456789012")
    documents.add_argument("--region", default="us-east-1")
    documents.add_argument("--out", default=str(POLICIES_DIR))
    return parser


def database_url(args) -> str | None:
    url = os.environ.get(DATABASE_URL_VARIABLE)
    if url:
        return url
    if args.ask_database_url:
        return getpass.getpass("Database URL (postgres://user:password@host:5432/name): ") or None
    return None


def run_provision(args) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from .provision import Provisioner, outputs_as_dict
    from .zappa_file import update_zappa_settings

    provisioner = Provisioner(_session(args), endpoint_url=args.endpoint_url)
    try:
        outputs = provisioner.provision(
            prefix=args.prefix,
            site_origins=args.site_origins,
            database_url=database_url(args),
            subnet_ids=args.subnet_ids,
            security_group_ids=args.security_group_ids,
            database_security_group_id=args.database_security_group_id,
            mail_from=args.mail_from,
        )
    except (BotoCoreError, ClientError, ValueError) as exc:
        print(f"provisioning failed: {exc}", file=sys.stderr)
        return 1
    if not args.no_write:
        update_zappa_settings(Path(args.settings_file), outputs)
    print(json.dumps(outputs_as_dict(outputs), indent=2))
    if not outputs.stream_mapping:
        print(
            "The web function does not exist yet: after `zappa deploy web`, provision again "
            "to connect the results stream to it.",
            file=sys.stderr,
        )
    return 0


def run_teardown(args) -> int:
    from .teardown import Teardown

    if not args.confirmed:
        print(
            "teardown deletes the photos, the results, the secrets and the functions of "
            f"prefix {args.prefix!r} for good: pass --yes-delete-everything "
            "(make teardown CONFIRM=yes)",
            file=sys.stderr,
        )
        return 2
    removed = Teardown(_session(args), endpoint_url=args.endpoint_url).run(prefix=args.prefix)
    for line in removed:
        print(f"removed {line}")
    return 0


def run_policies(args) -> int:
    from .policies import deployer_policy, function_policies, trust_policies
    from .resources import Names

    names = Names(prefix=args.prefix, account=args.account, region=args.region)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for path, document in policy_files(names, function_policies, trust_policies, deployer_policy):
        (out / path).write_text(json.dumps(document, indent=2) + "\n")
        print(out / path)
    return 0


def policy_files(names, function_policies, trust_policies, deployer_policy):
    """(file name, document) of every policy, as generated for `names`: the web role as in
    production, in the VPC and sending mail."""
    documents = function_policies(names, in_vpc=True, mail_from="photos@example.com")
    yield from ((f"{stage}-function.json", doc) for stage, doc in documents.items())
    trusts = trust_policies(names.account)
    yield "function-trust.json", trusts["thumbnails"]  # the jobs'
    yield "web-function-trust.json", trusts["web"]
    yield "deployer.json", deployer_policy(names)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    return {"provision": run_provision, "teardown": run_teardown, "policies": run_policies}[
        args.command
    ](args)
