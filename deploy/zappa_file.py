"""zappa_settings.json gets the provisioned names: every stage that uses a name gets the real
one, and each stage runs on its own role (`manage_roles: false`)."""

import json
from pathlib import Path

from .provision import Outputs
from .resources import JOB_STAGES


def update_zappa_settings(path: Path, outputs: Outputs) -> dict:
    """Write the provisioned names into every stage that uses them; the new settings."""
    settings = json.loads(Path(path).read_text())
    region = outputs.region
    environment = {
        "PHOTOS_BUCKET": outputs.photo_bucket,
        "PHOTOS_RESULTS_TABLE": outputs.table,
        "PHOTOS_TOPIC_ARN": outputs.topic_arn,
        "DJANGO_ALLOWED_HOSTS": f".execute-api.{region}.amazonaws.com",
    }
    if outputs.mail_from:
        # Password resets go through SES as the identity the web role may send as.
        environment.update(DJANGO_EMAIL="ses", DJANGO_DEFAULT_FROM_EMAIL=outputs.mail_from)
    for stage_name, stage in settings.items():
        if "aws_region" in stage:
            stage["aws_region"] = region
        if "s3_bucket" in stage:
            stage["s3_bucket"] = outputs.deploy_bucket
        if "remote_env" in stage:
            stage["remote_env"] = outputs.remote_env
        if "dead_letter_arn" in stage or stage_name in JOB_STAGES:
            stage["dead_letter_arn"] = outputs.dead_letter_arn
        if stage_name in outputs.roles:
            stage["role_arn"] = outputs.roles[stage_name]
        if "manage_roles" in stage:
            # Zappa would otherwise make its own role, allowed s3:*, sns:*, dynamodb:*...
            stage["manage_roles"] = False
        if stage_name == "web" and outputs.vpc_config:
            # Only the web function talks to PostgreSQL; the jobs stay outside any VPC.
            stage["vpc_config"] = outputs.vpc_config
        env = stage.get("aws_environment_variables")
        if env is not None:
            for name, value in environment.items():
                if name in env:
                    env[name] = value
        for event in stage.get("events", []):
            source = event.get("event_source")
            if not source:
                continue
            service = source.get("arn", "").split(":")[2:3]
            if service == ["sns"]:
                source["arn"] = outputs.topic_arn
            elif service == ["dynamodb"]:
                source["arn"] = outputs.stream_arn
    Path(path).write_text(json.dumps(settings, indent=4) + "\n")
    return settings
