"""A whole rollout in-process: moto (with percentiles) for AWS, the delivery tests' recording
stand-in for ``pulumi``, a copy of ``stacks/`` with the tests' own staging file, a fake clock.

The serving layer in moto is what the stack would have made for :data:`ENV_FILE` (an ALB in three
AZs, one target group, instances and four alarms per version), and the stand-in's ``stack output``
prints the outputs the stack would export for it, so the rollout reads consistent ARNs from both.
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

import shared.stacks
from tests import moto_server
from tests.delivery.conftest import FAKE_BIN, NETWORK_OUTPUTS, SALT
from tests.interpreter import stand_in_path
from tooling.deploy.commands import POLICY_PACK  # bound to the real pack before REPO_ROOT moves
from tooling.rollout.config_file import ServingFile
from tooling.rollout.deployer import Deployer

REGION = "eu-west-1"
ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
ENV = "staging"
ALARMS = ("unhealthy-hosts", "healthy-hosts-low", "target-5xx-rate", "p99-latency")
ENV_FILE = f"""\
encryptionsalt: {SALT}
# staging: two versions of the chat model
config:
  aws:region: eu-west-1
  serving:costCenter: ml-platform-staging # who pays
  serving:scheme: internet-facing
  serving:allowedPrefixListIds: [pl-0a1b2c3d4e5f67890]
  serving:certificate:
    domain: api.ml-staging.acme-corp.com
    zone: ml-staging.acme-corp.com
  serving:models:
    - name: llm-chat
      route: {{pathPrefix: /v1/chat}}
      healthCheck: {{path: /healthz}}
      versions:
        - name: initial # what ran before versions
          weight: 100
          fleet: {{ami: latest, image: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/llm-chat:1.0"}}
        - name: v2
          weight: 0 # the canary
          fleet: {{ami: latest, image: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/llm-chat:2.0"}}
"""


@pytest.fixture(scope="session")
def moto_percentiles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto_server with p99 (``moto_percentiles.py``) for the session, always stopped."""
    command = [sys.executable, "-m", "tests.rollout.moto_percentiles"]
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    root = Path(__file__).resolve().parents[2]
    with moto_server.running(command, log, cwd=root) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def snapshots(moto_percentiles: str) -> moto_server.Snapshots[Built]:
    return moto_server.Snapshots(moto_percentiles)


class FakeClock:
    """Time that moves only when the rollout sleeps; actions given to :meth:`at` run when it gets
    there (in order). The wall time starts at :data:`START`."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []
        self._due: list[tuple[float, Callable[[], object]]] = []

    def at(self, seconds: float, action: Callable[[], object]) -> None:
        self._due = sorted([*self._due, (seconds, action)], key=lambda item: item[0])

    def monotonic(self) -> float:
        return self.t

    def now(self) -> datetime:
        return START + timedelta(seconds=self.t)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds
        while self._due and self._due[0][0] <= self.t:
            _, action = self._due.pop(0)
            action()


@dataclass
class Version:
    name: str
    target_group_arn: str
    instances: list[str]
    alarms: list[str]


@dataclass(frozen=True)
class Built:
    """The ids of what :meth:`Harness._build` made in moto (saved with its snapshot)."""

    alb_arn: str
    https: str
    rule_arn: str
    certificate: str
    versions: dict[str, Version]
    outputs: dict[str, Any]


Profile = Callable[[str, float], tuple[int, int, float]]
"""(version, seconds since START) -> requests, target 5xx and p99 seconds in that minute."""


def steady(version: str, t: float) -> tuple[int, int, float]:
    return (1000, 1, 0.1)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    calls: list[tuple[str, list[str]]]
    record: dict[str, Any] | None

    def ups(self) -> int:
        return sum(1 for _, argv in self.calls if argv[:1] == ["up"])


class Harness:
    def __init__(
        self,
        tmp_path: Path,
        snapshots: moto_server.Snapshots[Built],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        self.tmp = tmp_path
        self.root = tmp_path / "repo"
        shutil.copytree(
            shared.stacks.REPO_ROOT / "stacks",
            self.root / "stacks",
            ignore=shutil.ignore_patterns("__pycache__", "serving_stack", "network_stack"),
        )
        self.env_file.write_text(ENV_FILE)
        self.file_of("prod").write_text(ENV_FILE)  # the same layout, as prod
        monkeypatch.setattr(shared.stacks, "REPO_ROOT", self.root)
        self.log = tmp_path / "pulumi-calls.jsonl"
        self.record_path = tmp_path / "record.json"
        self.clock = FakeClock()
        self.session: Any = boto3.session.Session(region_name=REGION)
        self._environment(snapshots.endpoint, monkeypatch)
        self.elbv2 = self.session.client("elbv2")
        self.ec2 = self.session.client("ec2")
        self.cloudwatch = self.session.client("cloudwatch")
        built = copy.deepcopy(snapshots.restore_or_build("staging", self._build))
        self.alb_arn, self.https, self.rule_arn = built.alb_arn, built.https, built.rule_arn
        self.certificate, self.versions, self.outputs = (
            built.certificate,
            built.versions,
            built.outputs,
        )
        self.deploys_change_the_alb = True
        self.deploys = 0
        self.fail_from: int | None = None
        """The stand-in's ``up`` fails from this deploy of the run on (1: the first)."""
        self._mirror_deploys(monkeypatch)
        self.write_outputs(self.outputs)
        (tmp_path / "stacks.json").write_text(json.dumps({
            "network": [{"name": env, "resourceCount": 30} for env in (ENV, "prod")],
            "serving": [{"name": env, "resourceCount": 60} for env in (ENV, "prod")],
        }))  # fmt: skip

    @property
    def env_file(self) -> Path:
        return self.file_of(ENV)

    def file_of(self, env: str) -> Path:
        return self.root / "stacks" / "serving" / f"Pulumi.{env}.yaml"

    def _environment(self, endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
        for key in (
            "AWS_PROFILE",
            "AWS_SESSION_TOKEN",
            "AWS_REGION",
            "CI",
            "YES",
            "ROLLOUT_RECORD",
        ):
            monkeypatch.delenv(key, raising=False)
        variables = {
            "PATH": stand_in_path(FAKE_BIN, self.tmp),
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": str(self.tmp / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.tmp / "no-aws-credentials"),
            "FAKE_PULUMI_LOG": str(self.log),
            "FAKE_PULUMI_STACKS": str(self.tmp / "stacks.json"),
            "FAKE_PULUMI_OUTPUTS": str(self.tmp / "outputs.json"),
            "PULUMI_BACKEND_URL": f"file://{self.tmp / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": "correct horse battery staple",
        }  # fmt: skip
        for key, value in variables.items():
            monkeypatch.setenv(key, value)

    # ---- moto: what the serving stack would have made -----------------------------------------
    def _build(self) -> Built:
        self.versions: dict[str, Version] = {}
        vpc = self.ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            self.ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i * 16}.0/20", AvailabilityZone=zone)["Subnet"]["SubnetId"]
            for i, zone in enumerate(ZONES)
        ]  # fmt: skip
        lb = self.elbv2.create_load_balancer(
            Name=f"serving-{ENV}-alb", Subnets=subnets, Scheme="internet-facing", Type="application"
        )["LoadBalancers"][0]
        self.alb_arn = lb["LoadBalancerArn"]
        for name in ("initial", "v2"):
            self.versions[name] = self._version(name, vpc, subnets)
        http = self.elbv2.create_listener(
            LoadBalancerArn=self.alb_arn, Protocol="HTTP", Port=80,
            DefaultActions=[{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}],
        )["Listeners"][0]["ListenerArn"]  # fmt: skip
        acm = self.session.client("acm")
        self.certificate = acm.request_certificate(DomainName="api.ml-staging.acme-corp.com", ValidationMethod="DNS")["CertificateArn"]  # fmt: skip
        forward = {"Type": "forward", "ForwardConfig": {"TargetGroups": [
            {"TargetGroupArn": v.target_group_arn, "Weight": 100 if v.name == "initial" else 0}
            for v in self.versions.values()
        ]}}  # fmt: skip
        self.https = self.elbv2.create_listener(
            LoadBalancerArn=self.alb_arn, Protocol="HTTPS", Port=443,
            SslPolicy="ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            Certificates=[{"CertificateArn": self.certificate}],
            DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
        )["Listeners"][0]["ListenerArn"]  # fmt: skip
        self.rule_arn = self.elbv2.create_rule(
            ListenerArn=self.https, Priority=1000, Actions=[forward],
            Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/v1/chat", "/v1/chat/*"]}}],
        )["Rules"][0]["RuleArn"]  # fmt: skip
        outputs = self._outputs(lb, http)
        return Built(
            self.alb_arn, self.https, self.rule_arn, self.certificate, self.versions, outputs
        )

    def _version(self, name: str, vpc: str, subnets: list[str]) -> Version:
        tg = self.elbv2.create_target_group(
            Name=f"srv-{ENV}-llm-chat-{name}", Protocol="HTTP", Port=8080, VpcId=vpc,
            TargetType="instance", HealthCheckPath="/healthz",
        )["TargetGroups"][0]["TargetGroupArn"]  # fmt: skip
        instances = [
            self.ec2.run_instances(ImageId="ami-0c1f3a8058fde8814", MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]["InstanceId"]
            for subnet in subnets
        ]  # fmt: skip
        self.elbv2.register_targets(
            TargetGroupArn=tg, Targets=[{"Id": i, "Port": 8080} for i in instances]
        )
        dimensions = [
            {"Name": "TargetGroup", "Value": "targetgroup/" + tg.split(":targetgroup/")[1]},
            {"Name": "LoadBalancer", "Value": "app/" + self.alb_arn.split(":loadbalancer/app/")[1]},
        ]
        alarms = [f"serving-{ENV}-llm-chat-{name}-{kind}" for kind in ALARMS]
        for alarm in alarms:
            self.cloudwatch.put_metric_alarm(
                AlarmName=alarm, Namespace="AWS/ApplicationELB", MetricName="RequestCount",
                Dimensions=dimensions, Statistic="Sum", Period=60, EvaluationPeriods=2,
                Threshold=1, ComparisonOperator="GreaterThanThreshold",
            )  # fmt: skip
            self.cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="fine")
        return Version(name, tg, instances, alarms)

    def _outputs(self, lb: dict[str, Any], http: str) -> dict[str, Any]:
        versions = {
            v.name: {
                "name": v.name, "weight": 100 if v.name == "initial" else 0,
                "target_group_arn": v.target_group_arn, "targets": "fleet",
                "min_healthy_targets": 3, "min_healthy_per_az": 1, "alarm_names": v.alarms,
            }
            for v in self.versions.values()
        }  # fmt: skip
        model = {
            "name": "llm-chat", "route": {"kind": "path", "value": "/v1/chat", "priority": 1000},
            "target_group_arn": self.versions["initial"].target_group_arn, "port": 8080,
            "health_check_path": "/healthz", "targets": "fleet", "min_healthy_targets": 3,
            "weighted": True, "versions": versions,
        }  # fmt: skip
        return {
            "alb_arn": self.alb_arn, "alb_dns_name": lb["DNSName"], "alb_zone_id": lb["CanonicalHostedZoneId"],
            "url": "https://api.ml-staging.acme-corp.com", "scheme": "internet-facing",
            "availability_zones": list(ZONES), "https_listener_arn": self.https,
            "http_listener_arn": http, "tls_policy": "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            "certificate_arn": self.certificate,
            "log_bucket": f"serving-{ENV}-alb-logs", "deletion_protection": True,
            "desync_mitigation_mode": "defensive", "models": {"llm-chat": model},
            "failover": {"detection_seconds": 60, "recovery_seconds": 150, "drain_seconds": 30,
                         "az_count": 3, "min_healthy_per_az": 1},
        }  # fmt: skip

    def write_outputs(self, serving: dict[str, Any]) -> None:
        data = {
            "network": dict.fromkeys((ENV, "prod"), NETWORK_OUTPUTS),
            "serving": dict.fromkeys((ENV, "prod"), serving),
        }
        (self.tmp / "outputs.json").write_text(json.dumps(data))

    def _mirror_deploys(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """What a real ``pulumi up`` does to the ALB and the stand-in cannot: after each deploy
        the model's rule forwards with the weights of the file it deployed."""
        deploy = Deployer.up

        def up_and_apply(deployer: Deployer) -> None:
            self.deploys += 1
            if self.fail_from is not None and self.deploys >= self.fail_from:
                deployer.cli.variables["FAKE_PULUMI_FAIL"] = "up:serving=1"  # the stand-in fails
            deploy(deployer)
            if self.deploys_change_the_alb:
                self.forward(ServingFile.read(self.file_of(deployer.env)).weights("llm-chat"))

        monkeypatch.setattr(Deployer, "up", up_and_apply)

    def forward(self, weights: dict[str, int]) -> None:
        groups = [
            {"TargetGroupArn": self.versions[name].target_group_arn, "Weight": weight}
            for name, weight in weights.items()
        ]
        self.elbv2.modify_rule(
            RuleArn=self.rule_arn,
            Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}],
        )

    # ---- what the test scripts ----------------------------------------------------------------
    def traffic(self, profile: Profile = steady, *, minutes: tuple[int, int] = (-10, 60)) -> None:
        """One data point per version and minute (at :15), as the ALB would publish them."""
        data: list[Any] = []
        for minute in range(*minutes):
            t = minute * 60 + 15
            for version in self.versions.values():
                requests, errors, p99 = profile(version.name, t)
                if not requests:
                    continue
                dims = [
                    {"Name": "TargetGroup", "Value": "targetgroup/" + version.target_group_arn.split(":targetgroup/")[1]},
                    {"Name": "LoadBalancer", "Value": "app/" + self.alb_arn.split(":loadbalancer/app/")[1]},
                ]  # fmt: skip
                stamp = START + timedelta(seconds=t)
                data += [
                    {"MetricName": "RequestCount", "Dimensions": dims, "Timestamp": stamp, "Value": requests},
                    {"MetricName": "HTTPCode_Target_5XX_Count", "Dimensions": dims, "Timestamp": stamp, "Value": errors},
                    {"MetricName": "TargetResponseTime", "Dimensions": dims, "Timestamp": stamp,
                     "Values": [0.05, p99]},
                ]  # fmt: skip
        for start in range(0, len(data), 500):
            self.cloudwatch.put_metric_data(
                Namespace="AWS/ApplicationELB", MetricData=data[start : start + 500]
            )

    def stop_instances(self, version: str) -> None:
        self.ec2.stop_instances(InstanceIds=self.versions[version].instances)

    def start_instances(self, version: str) -> None:
        self.ec2.start_instances(InstanceIds=self.versions[version].instances)

    def alarm(self, name: str) -> None:
        self.cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="Threshold Crossed: 2 datapoints were greater than the threshold (5.0)")  # fmt: skip

    def policy(self, env: str = ENV) -> list[str]:
        policies = str(POLICY_PACK)
        return ["--policy-pack", policies, "--policy-pack-config", f"{policies}/config/{env}.json"]

    def deploy_calls(self, env: str = ENV) -> list[tuple[str, list[str]]]:
        """What one step's deploy runs (the deploy driver's ``up`` of the serving stack)."""
        return [
            ("serving", ["stack", "ls", "--json"]),
            ("network", ["stack", "output", "--json", "--stack", env]),
            ("serving", ["up", "--stack", env, "--yes", *self.policy(env)]),
        ]

    def calls(self) -> list[tuple[str, list[str]]]:
        if not self.log.exists():
            return []
        lines = [json.loads(line) for line in self.log.read_text().splitlines()]
        return [(Path(c["cwd"]).name, list(c["argv"])) for c in lines if "event" not in c]

    def run(
        self, capsys: pytest.CaptureFixture[str], *args: str, to: str = "v2", **options: Any
    ) -> Result:
        """``make rollout ENV=staging MODEL=llm-chat TO=v2`` plus ``args``, in-process."""
        from tooling.rollout.cli import main

        model = options.pop("model", "llm-chat")
        env = options.pop("env", ENV)
        record = ["--record", str(self.record_path)] if options.pop("record", True) else []
        argv = [
            "--env",
            env,
            "--model",
            model,
            "--to",
            to,
            *record,
            *args,
        ]
        options = {
            "clock": self.clock,
            "interactive": False,
            "has_credentials": lambda: True,
            **options,
        }
        code = main(argv, **options)
        out, err = capsys.readouterr()
        record = json.loads(self.record_path.read_text()) if self.record_path.exists() else None
        return Result(code, out, err, self.calls(), record)


@pytest.fixture
def harness(
    tmp_path: Path, snapshots: moto_server.Snapshots[Built], monkeypatch: pytest.MonkeyPatch
) -> Harness:
    return Harness(tmp_path, snapshots, monkeypatch)
