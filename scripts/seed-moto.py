#!/usr/bin/env python3
"""Fill a fresh moto server with a small sample IAM account to try iamwiz on.

Usage: seed-moto.py ENDPOINT_URL

Creates customer managed policies, groups, a few existing users, a password
policy and the account alias `example-corp`. Running it twice is harmless:
things that already exist are left as they are.
"""

import json
import os
import sys

import boto3
from botocore.exceptions import ClientError

AWS_POLICY = "arn:aws:iam::aws:policy/"

CUSTOMER_POLICIES = {
    "S3ReadReports": {
        "description": "Read the monthly reports bucket",
        "document": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket"],
                    "Resource": "arn:aws:s3:::example-corp-reports",
                },
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject"],
                    "Resource": "arn:aws:s3:::example-corp-reports/*",
                },
            ],
        },
    },
    "DeployPipeline": {
        "description": "Push images and start deployments",
        "document": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": [
                        "ecr:GetAuthorizationToken",
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:PutImage",
                        "ecr:InitiateLayerUpload",
                        "ecr:UploadLayerPart",
                        "ecr:CompleteLayerUpload",
                    ],
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Action": ["ecs:UpdateService", "ecs:DescribeServices"],
                    "Resource": "arn:aws:ecs:us-east-1:*:service/example-corp/*",
                },
            ],
        },
    },
    "BillingViewer": {
        "description": "View bills, budgets and cost reports",
        "document": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": [
                        "aws-portal:ViewBilling",
                        "ce:Get*",
                        "budgets:ViewBudget",
                    ],
                    "Resource": "*",
                }
            ],
        },
    },
}

# group -> (AWS managed policy names, customer policy names)
GROUPS = {
    "developers": (["ReadOnlyAccess"], ["S3ReadReports"]),
    "admins": (["AdministratorAccess"], []),
    "billing": (["job-function/Billing"], ["BillingViewer"]),
    "support": (["AWSSupportAccess"], []),
}

ALICE_INLINE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": [
                "arn:aws:s3:::example-corp-scratch-alice",
                "arn:aws:s3:::example-corp-scratch-alice/*",
            ],
        }
    ],
}


def ignore_exists(call, *args, **kwargs):
    """Run an IAM call; treat 'already exists' as success."""
    try:
        return call(*args, **kwargs)
    except ClientError as err:
        if err.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
        return None


def attach(call, arn, **target):
    """Attach a policy; warn instead of failing if moto lacks that AWS policy."""
    try:
        call(PolicyArn=arn, **target)
    except ClientError as err:
        if err.response["Error"]["Code"] != "NoSuchEntity":
            raise
        print(f"warning: {arn} not found (start moto with "
              "MOTO_IAM_LOAD_MANAGED_POLICIES=true)", file=sys.stderr)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: seed-moto.py ENDPOINT_URL")
    endpoint = sys.argv[1]
    # Talk only to the emulator: ignore the caller's AWS profile and config.
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(var, None)
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    session = boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    iam = session.client("iam", endpoint_url=endpoint)
    sts = session.client("sts", endpoint_url=endpoint)
    account = sts.get_caller_identity()["Account"]

    def customer(name):
        return f"arn:aws:iam::{account}:policy/{name}"

    for name, spec in CUSTOMER_POLICIES.items():
        ignore_exists(
            iam.create_policy,
            PolicyName=name,
            Description=spec["description"],
            PolicyDocument=json.dumps(spec["document"]),
        )

    for group, (aws_policies, customer_policies) in GROUPS.items():
        ignore_exists(iam.create_group, GroupName=group)
        for name in aws_policies:
            attach(iam.attach_group_policy, AWS_POLICY + name, GroupName=group)
        for name in customer_policies:
            attach(iam.attach_group_policy, customer(name), GroupName=group)

    users = {
        "alice": [("Team", "platform")],
        "bob": [("Team", "ops")],
        "ci-deployer": [("Purpose", "ci")],
    }
    for user, tags in users.items():
        ignore_exists(
            iam.create_user,
            UserName=user,
            Tags=[{"Key": k, "Value": v} for k, v in tags],
        )

    iam.add_user_to_group(GroupName="developers", UserName="alice")
    attach(
        iam.attach_user_policy,
        AWS_POLICY + "IAMUserChangePassword",
        UserName="alice",
    )
    iam.put_user_policy(
        UserName="alice",
        PolicyName="scratch-bucket",
        PolicyDocument=json.dumps(ALICE_INLINE),
    )
    iam.add_user_to_group(GroupName="admins", UserName="bob")
    attach(
        iam.attach_user_policy,
        customer("DeployPipeline"),
        UserName="ci-deployer",
    )
    if not iam.list_access_keys(UserName="ci-deployer")["AccessKeyMetadata"]:
        iam.create_access_key(UserName="ci-deployer")

    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
    )

    alias = "example-corp"
    try:
        if alias not in iam.list_account_aliases()["AccountAliases"]:
            iam.create_account_alias(AccountAlias=alias)
    except ClientError as err:
        print(f"warning: account alias not set: {err}", file=sys.stderr)
        alias = None

    print(
        f"seeded moto at {endpoint} (account {account}"
        + (f", alias {alias}" if alias else "")
        + f"): {len(CUSTOMER_POLICIES)} customer policies, groups "
        + ", ".join(GROUPS)
        + ", users "
        + ", ".join(users)
        + ", password policy"
    )


if __name__ == "__main__":
    main()
