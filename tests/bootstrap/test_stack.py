"""The bootstrap stack under the mock runtime: what it builds, with which settings, and its errors."""

from __future__ import annotations

import pytest

from bootstrap_stack.config import GITHUB_OIDC_URL
from bootstrap_stack.policies import DEPLOY_KEY_USE, KEY_ADMINISTRATION, PREVIEW_KEY_USE
from tests.bootstrap.conftest import ACCOUNT, ENVS, REGION, bootstrap, document
from tooling.mock_runtime import Rendered, RenderError, render

BUCKET = "aws:s3/bucket:Bucket"
KEY = "aws:kms/key:Key"
ROLE = "aws:iam/role:Role"
STATE_BUCKET = f"alb-serving-pulumi-state-{ACCOUNT}-{REGION}"
SIDES = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
)


def test_the_committed_stack_renders() -> None:
    result = render("bootstrap", "bootstrap")
    assert result.outputs["backend_url"].startswith("s3://")
    assert set(result.outputs["deploy_roles"]) == set(ENVS)


def test_the_state_bucket_is_versioned_locked_down_and_kept(rendered: Rendered) -> None:
    bucket = rendered.one(BUCKET)
    assert bucket.inputs["bucket"] == STATE_BUCKET
    assert bucket.protect and bucket.retain_on_delete
    assert bucket.inputs["forceDestroy"] is False
    assert bucket.inputs["tags"]["purpose"] == "pulumi-state"
    for side in SIDES:
        resource = rendered.one(side)
        assert resource.retain_on_delete and resource.protect, side
        assert resource.depends_on(bucket), side
    versioning = rendered.one(SIDES[0]).inputs["versioningConfiguration"]
    assert versioning == {"status": "Enabled"}
    block = rendered.one(SIDES[1]).inputs
    assert all(
        block[k] is True
        for k in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )
    assert rendered.one(SIDES[2]).inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    sse = rendered.one(SIDES[3]).inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert sse == {"sseAlgorithm": "AES256"}
    rule = rendered.one(SIDES[4]).inputs["rules"][0]
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 90}
    assert rule["status"] == "Enabled"
    deny = document(rendered.one(SIDES[5]).inputs["policy"])["Statement"][0]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}
    }


def test_each_env_has_a_rotating_protected_key_that_only_its_roles_use(rendered: Rendered) -> None:
    keys = {r.inputs["tags"]["secrets-of"]: r for r in rendered.of_type(KEY)}
    assert set(keys) == set(ENVS)
    aliases = {r.inputs["name"] for r in rendered.of_type("aws:kms/alias:Alias")}
    assert aliases == {f"alias/alb-serving-pulumi-{env}" for env in ENVS}
    for env, key in keys.items():
        assert key.inputs["enableKeyRotation"] is True
        assert key.protect and key.retain_on_delete
        assert key.inputs["deletionWindowInDays"] == 30
        statements = {s["Sid"]: s for s in document(key.inputs["policy"])["Statement"]}
        root = statements["AccountAdministersTheKey"]
        assert root["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
        assert set(root["Action"]) == set(KEY_ADMINISTRATION)
        assert not {"kms:Decrypt", "kms:Encrypt", "kms:CreateGrant", "kms:GenerateDataKey"} & set(
            root["Action"]
        )
        deploy = statements["DeployRoleUsesTheKey"]
        assert deploy["Principal"] == {
            "AWS": f"arn:aws:iam::{ACCOUNT}:role/alb-serving-deploy-{env}"
        }
        assert set(deploy["Action"]) == set(DEPLOY_KEY_USE)
        assert set(statements["PreviewRoleDecrypts"]["Action"]) == set(PREVIEW_KEY_USE)
        roles = {
            r.urn
            for r in rendered.of_type(ROLE)
            if r.inputs["name"] in (f"alb-serving-deploy-{env}", "alb-serving-preview")
        }
        assert roles <= set(key.dependencies), (
            "KMS rejects a key policy naming roles that do not exist yet"
        )


def test_the_oidc_provider_trusts_github_for_sts(rendered: Rendered) -> None:
    provider = rendered.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["url"] == GITHUB_OIDC_URL
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert "thumbprintLists" not in provider.inputs  # IAM validates GitHub against its own CAs
    for role in rendered.of_type(ROLE):
        assert role.depends_on(provider)


def _trust(rendered: Rendered, name: str) -> dict[str, str]:
    role = next(r for r in rendered.of_type(ROLE) if r.inputs["name"] == name)
    (statement,) = document(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {
        "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    }
    assert set(statement["Condition"]) == {"StringEquals"}
    return statement["Condition"]["StringEquals"]


@pytest.mark.parametrize("env", ENVS)
def test_a_deploy_role_trusts_only_its_github_environment(rendered: Rendered, env: str) -> None:
    assert _trust(rendered, f"alb-serving-deploy-{env}") == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": f"repo:acme/alb-serving-platform:environment:{env}",
    }


def test_the_preview_role_trusts_only_pull_requests(rendered: Rendered) -> None:
    assert _trust(rendered, "alb-serving-preview") == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:acme/alb-serving-platform:pull_request",
    }


def test_every_role_gets_its_documents_as_managed_policies(rendered: Rendered) -> None:
    policies = {r.inputs["name"]: r for r in rendered.of_type("aws:iam/policy:Policy")}
    attachments = rendered.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert len(attachments) == len(policies)
    for env in ENVS:
        mine = [n for n in policies if n.startswith(f"alb-serving-deploy-{env}-")]
        assert f"alb-serving-deploy-{env}-state" in mine
        assert len(mine) <= 10  # IAM's default quota of managed policies per role


def test_the_outputs_are_the_settings(rendered: Rendered) -> None:
    outputs = rendered.outputs
    assert outputs["backend_url"] == f"s3://{STATE_BUCKET}?region={REGION}"
    assert outputs["preview_role"] == f"arn:aws:iam::{ACCOUNT}:role/alb-serving-preview"
    assert outputs["secrets_providers"] == {
        env: f"awskms://alias/alb-serving-pulumi-{env}?region={REGION}" for env in ENVS
    }
    assert outputs["deploy_roles"]["prod"] == f"arn:aws:iam::{ACCOUNT}:role/alb-serving-deploy-prod"


def test_an_existing_oidc_provider_is_used_not_created() -> None:
    arn = "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"
    result = bootstrap(**{"bootstrap:oidcProviderArn": arn})
    assert not result.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert result.outputs["oidc_provider_arn"] == arn


def test_fewer_envs_and_another_repository() -> None:
    result = bootstrap(
        **{"bootstrap:environments": ["prod"], "bootstrap:repository": "example/serving"}
    )
    assert set(result.outputs["deploy_roles"]) == {"prod"}
    assert len(result.of_type(KEY)) == 1
    assert "repo:example/serving:environment:prod" in str(
        next(r for r in result.of_type(ROLE) if r.inputs["name"].endswith("prod")).inputs
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"bootstrap:accountId": "123456789012"},
            "Pulumi.bootstrap.yaml: bootstrap:accountId = '123456789012': the AWS credentials are for account 210987654321",
        ),
        (
            {"bootstrap:environments": ["dev", "qa"]},
            'Pulumi.bootstrap.yaml: bootstrap:environments = ["dev", "qa"]: \'qa\' is not an env',
        ),
        (
            {"bootstrap:stateBucket": "Bad_Bucket"},
            "Pulumi.bootstrap.yaml: bootstrap:stateBucket = 'Bad_Bucket': not a valid S3 bucket name",
        ),
        (
            {"bootstrap:oidcProviderArn": "arn:aws:iam::210987654321:oidc-provider/gitlab.com"},
            "Pulumi.bootstrap.yaml: bootstrap:oidcProviderArn = ",
        ),
    ],
)
def test_bad_input_is_one_line_before_anything_is_created(
    extra: dict[str, object], message: str
) -> None:
    with pytest.raises(RenderError) as failure:
        bootstrap(**extra)
    assert failure.value.message.startswith(message), failure.value.message
    assert "\n" not in failure.value.message
    assert not failure.value.rendered.created
