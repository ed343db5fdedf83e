"""The tests' moto snapshots (``tests/moto_snapshots.py``): a restore undoes every change a test
made, in each service, and builds nothing again."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests import moto_server
from tests.verify.layout import PROD_LIKE, REGION, Deployment, deploy


def _state(deployment: Deployment) -> tuple[object, ...]:
    instance = deployment.instance("embeddings", "eu-west-1a")
    (reservation,) = deployment.ec2.describe_instances(InstanceIds=[instance])["Reservations"]
    encryption = deployment.s3.get_bucket_encryption(Bucket=PROD_LIKE.bucket)
    return (
        len(deployment.https_rules()),
        reservation["Instances"][0]["State"]["Name"],
        encryption["ServerSideEncryptionConfiguration"]["Rules"],
        len(deployment.elbv2.describe_load_balancers()["LoadBalancers"]),
    )


def _break(deployment: Deployment) -> None:
    rule = next(r for r in deployment.https_rules() if not r["IsDefault"])
    deployment.elbv2.delete_rule(RuleArn=rule["RuleArn"])
    deployment.ec2.stop_instances(InstanceIds=[deployment.instance("embeddings", "eu-west-1a")])
    deployment.s3.put_bucket_encryption(Bucket=PROD_LIKE.bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
    })  # fmt: skip
    boto3.session.Session(region_name=REGION).client("ec2").create_vpc(CidrBlock="10.9.0.0/16")


def test_a_restore_undoes_every_change_and_builds_once(aws_variables: str) -> None:
    snapshots: moto_server.Snapshots[Deployment] = moto_server.Snapshots(aws_variables)
    builds: list[Deployment] = []

    def build() -> Deployment:
        builds.append(deploy(PROD_LIKE))
        return builds[-1]

    first = snapshots.restore_or_build("undo", build)
    before = _state(first)
    vpcs = len(first.ec2.describe_vpcs()["Vpcs"])
    assert before[1] == "running" and before[3] == 1

    for _ in range(2):  # each restore is a fresh copy: the second break does not stick either
        _break(first)
        assert _state(first) != before
        again = snapshots.restore_or_build("undo", build)
        assert again is first and len(builds) == 1
        assert _state(again) == before
        assert len(again.ec2.describe_vpcs()["Vpcs"]) == vpcs


def test_an_unknown_snapshot_is_a_404_not_an_empty_moto(aws_variables: str) -> None:
    snapshots: moto_server.Snapshots[str] = moto_server.Snapshots(aws_variables)
    snapshots._built["never-saved"] = "stale"  # as if saved by a server that has since restarted
    ec2: Any = boto3.session.Session(region_name=REGION).client("ec2")
    value = snapshots.restore_or_build(
        "never-saved", lambda: ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    )
    assert value != "stale"
    assert value in [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
    with pytest.raises(Exception, match="400"):
        moto_server._post(f"{aws_variables}/moto-snapshot/forget/all")
