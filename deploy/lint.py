"""`python -m deploy.lint` (run by `make lint`): every IAM policy the deployment uses, as the
code generates it, through parliament (Duo Labs' IAM linter: unknown actions, resources
that do not fit the action, conditions on keys the action lacks, `*` where narrower is
possible...). Fails on any finding not allowed below with its reason, and when the files
under deploy/policies/ differ from what the code generates (regenerate them with
`python -m deploy policies`).
"""

import importlib.resources
import json
import sys
import types
from pathlib import Path

from .cli import POLICIES_DIR, policy_files
from .policies import deployer_policy, function_policies, trust_policies
from .resources import Names

# Findings accepted on purpose, by (file, issue, action): each says why.
ALLOWED = {
    # AWS has no narrower resource for network interfaces: they get an ARN when created.
    # Only the web function, and only when it runs in the database's VPC, gets them.
    ("web-function.json", "RESOURCE_STAR", "ec2:CreateNetworkInterface"),
    ("web-function.json", "RESOURCE_STAR", "ec2:DeleteNetworkInterface"),
    ("web-function.json", "RESOURCE_STAR", "ec2:AssignPrivateIpAddresses"),
    ("web-function.json", "RESOURCE_STAR", "ec2:UnassignPrivateIpAddresses"),
    # ListStreams has no resource type: it lists stream ARNs, no records.
    ("web-function.json", "RESOURCE_STAR", "dynamodb:ListStreams"),
}
# What a deployer is: it creates roles and functions, so it can pass a role to a function it
# controls. The policy bounds that to the `<prefix>-*-function` roles and `<prefix>-*`
# functions (iam:PassRole only to Lambda); parliament reports the capability itself.
DEPLOYER_ISSUES = {"PERMISSIONS_MANAGEMENT_ACTIONS", "PRIVILEGE_ESCALATION"}
# parliament lints identity policies; a role's trust policy (a Principal, no Resource) is
# checked by tests/deploy instead.
NOT_LINTED = {"function-trust.json", "web-function-trust.json"}


def _import_parliament():
    """parliament 1.6.4 finds its data files through pkg_resources, which setuptools >= 81
    no longer ships: give it the one function it calls, from the standard library."""
    if "pkg_resources" not in sys.modules:
        shim = types.ModuleType("pkg_resources")

        def resource_filename(package: str, name: str) -> str:
            return str(importlib.resources.files(package) / name)

        shim.resource_filename = resource_filename
        sys.modules["pkg_resources"] = shim
    import parliament

    return parliament


def documents() -> dict[str, dict]:
    names = Names(prefix="darkroom", account="123456789012", region="us-east-1")
    return dict(policy_files(names, function_policies, trust_policies, deployer_policy))


def findings(name: str, document: dict) -> list[str]:
    parliament = _import_parliament()
    policy = parliament.analyze_policy_string(
        json.dumps(document), ignore_private_auditors=True, include_community_auditors=True
    )
    problems = []
    for finding in policy.findings:
        if name == "deployer.json" and finding.issue in DEPLOYER_ISSUES:
            continue
        actions = _actions(finding)
        if actions and all((name, finding.issue, action) in ALLOWED for action in actions):
            continue
        problems.append(f"{name}: {finding.issue} {finding.detail} {finding.location}")
    return problems


def _actions(finding) -> list[str]:
    detail = finding.detail
    if isinstance(detail, dict):
        detail = detail.get("actions", detail.get("action"))
    if isinstance(detail, str):
        return [detail]
    if isinstance(detail, list | tuple | set):
        return [str(action) for action in detail]
    return []


def main() -> int:
    problems = []
    for name, document in documents().items():
        if name not in NOT_LINTED:
            problems += findings(name, document)
        written = Path(POLICIES_DIR) / name
        if not written.is_file() or json.loads(written.read_text()) != document:
            problems.append(
                f"{written} is not what the code generates: run `python -m deploy policies`"
            )
    for problem in problems:
        print(problem, file=sys.stderr)
    linted = len(set(documents()) - NOT_LINTED)
    print(
        f"{linted} policies linted by parliament, {len(documents())} checked against the code, "
        f"{len(problems)} problem(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
