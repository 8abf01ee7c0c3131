"""The boto3 peers of the benchmarks, each run as a process of its own (as a script would be).

  bench_boto3.py create PLAN.json   the plan's users, with boto3's calls one after another
  bench_boto3.py list-policies      the whole policy catalogue (Scope=All, 1,000 a page, as
                                    iamwiz reads it), printed as JSON
  bench_boto3.py setup PLAN.json    (not timed) makes the plan's groups, policies and boundary,
                                    and a password policy that lets users change their password

The endpoint comes from AWS_ENDPOINT_URL, the credentials from the environment. The console
password is a fixed one (iamwiz generates one per user; the cost is the same call).
"""

import json
import sys

import boto3


def create(plan_path):
    with open(plan_path) as f:
        plan = json.load(f)
    iam = boto3.client("iam")
    tags = [{"Key": t["key"], "Value": t["value"]} for t in plan.get("tags", [])]
    for user in plan["users"]:
        args = {"UserName": user, "Path": plan.get("path", "/"), "Tags": tags}
        if plan.get("permissions_boundary"):
            args["PermissionsBoundary"] = plan["permissions_boundary"]
        iam.create_user(**args)
        if plan.get("console_password") is not None:
            iam.create_login_profile(
                UserName=user,
                Password="Bench-Passw0rd!x",
                PasswordResetRequired=plan["console_password"].get("require_reset", False),
            )
        if plan.get("access_key"):
            iam.create_access_key(UserName=user)
        for group in plan.get("groups", []):
            iam.add_user_to_group(UserName=user, GroupName=group)
        for arn in plan.get("managed_policies", []):
            iam.attach_user_policy(UserName=user, PolicyArn=arn)
        for inline in plan.get("inline_policies", []):
            iam.put_user_policy(
                UserName=user,
                PolicyName=inline["name"],
                PolicyDocument=json.dumps(inline["document"]),
            )


def setup(plan_path):
    from botocore.exceptions import ClientError

    with open(plan_path) as f:
        plan = json.load(f)
    iam = boto3.client("iam")
    doc = json.dumps(plan["inline_policies"][0]["document"])

    def ignore_exists(call, **kw):
        try:
            call(**kw)
        except ClientError as e:
            if e.response["Error"]["Code"] != "EntityAlreadyExists":
                raise

    for group in plan["groups"]:
        ignore_exists(iam.create_group, GroupName=group)
    for arn in plan["managed_policies"] + [plan["permissions_boundary"]]:
        ignore_exists(iam.create_policy, PolicyName=arn.rsplit("/", 1)[1], PolicyDocument=doc)
    iam.update_account_password_policy(MinimumPasswordLength=14, AllowUsersToChangePassword=True)


def list_policies():
    iam = boto3.client("iam")
    policies = []
    for page in iam.get_paginator("list_policies").paginate(
        Scope="All", PaginationConfig={"PageSize": 1000}
    ):
        policies.extend(page["Policies"])
    json.dump(policies, sys.stdout, default=str)


if __name__ == "__main__":
    if sys.argv[1:2] == ["create"] and len(sys.argv) == 3:
        create(sys.argv[2])
    elif sys.argv[1:2] == ["setup"] and len(sys.argv) == 3:
        setup(sys.argv[2])
    elif sys.argv[1:] == ["list-policies"]:
        list_policies()
    else:
        sys.exit(__doc__)
