"""The ALB rule evaluator (``tooling.verify.traffic``) on ``DescribeRules``-shaped answers: priority
order, every condition type with its case rules and wildcards, AND across conditions and OR within
one, the final action after authentication, and weighted forwards."""

from __future__ import annotations

from typing import Any

import pytest

from tooling.verify.patterns import glob_match, globs_overlap
from tooling.verify.traffic import Request, RouteSpace, could_take, describe_conditions, reach

TG = "arn:aws:elasticloadbalancing:eu-west-1:210987654321:targetgroup/{}/0123456789abcdef"
A, B, C = TG.format("a"), TG.format("b"), TG.format("c")
LISTENER: dict[str, Any] = {"ListenerArn": "listener", "DefaultActions": []}
DEFAULT = {"Priority": "default", "IsDefault": True, "Conditions": [],
           "Actions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]}  # fmt: skip


def forward(arn: str) -> list[dict[str, Any]]:
    return [{"Type": "forward", "TargetGroupArn": arn}]


def rule(priority: int, *conditions: dict[str, Any], to: str = A) -> dict[str, Any]:
    return {
        "Priority": str(priority),
        "IsDefault": False,
        "Conditions": list(conditions),
        "Actions": forward(to),
    }


def path(*values: str) -> dict[str, Any]:
    return {"Field": "path-pattern", "PathPatternConfig": {"Values": list(values)}}


def host(*values: str) -> dict[str, Any]:
    return {"Field": "host-header", "HostHeaderConfig": {"Values": list(values)}}


def taken_by(rules: list[dict[str, Any]], request: Request) -> str:
    return reach(LISTENER, [*rules, DEFAULT], request).priority


GET = Request("api.example.com", "/v1/chat/completions")


def test_rules_are_evaluated_by_priority_not_by_list_order() -> None:
    rules = [rule(20, path("/v1/chat/*"), to=A), rule(3, path("/v1/*"), to=B)]
    got = reach(LISTENER, rules, GET)
    assert (got.priority, got.weights) == ("3", {B: 1})
    assert taken_by(rules, Request("api.example.com", "/v2")) == "default"


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("/v1/*", "/v1/chat", True), ("/v1/*", "/V1/chat", False), ("/v1/cha?", "/v1/chat", True),
        ("/v1/cha?", "/v1/chats", False), ("/v1", "/v1/chat", False), ("*", "/", True),
    ],
)  # fmt: skip
def test_path_patterns_are_case_sensitive_wildcards_on_the_path_only(
    pattern: str, value: str, matches: bool
) -> None:
    assert (taken_by([rule(1, path(pattern))], Request("h.example.com", value)) == "1") is matches


def test_a_path_pattern_ignores_the_query_string() -> None:
    request = Request("h.example.com", "/v1/chat", query=(("stream", "true"),))
    assert taken_by([rule(1, path("/v1/chat"))], request) == "1"


def test_host_headers_are_case_insensitive_with_wildcards_and_without_the_port() -> None:
    rules = [rule(1, host("*.EXAMPLE.com"))]
    assert taken_by(rules, Request("Api.Example.COM:443", "/")) == "1"
    assert taken_by(rules, Request("example.com", "/")) == "default"


def test_values_of_one_condition_or_and_conditions_and() -> None:
    rules = [rule(1, path("/a", "/b"), host("x.example.com"))]
    assert taken_by(rules, Request("x.example.com", "/b")) == "1"
    assert taken_by(rules, Request("y.example.com", "/b")) == "default"


def test_http_headers_match_by_name_and_value_case_insensitively() -> None:
    canary = {
        "Field": "http-header",
        "HttpHeaderConfig": {"HttpHeaderName": "X-Canary", "Values": ["on*"]},
    }
    rules = [rule(1, canary)]
    assert taken_by(rules, Request("h.example.com", "/", headers=(("x-canary", "ONE"),))) == "1"
    assert taken_by(rules, Request("h.example.com", "/", headers=(("x-other", "on"),))) == "default"
    assert taken_by(rules, Request("h.example.com", "/")) == "default"


def test_methods_are_exact_and_case_sensitive() -> None:
    rules = [
        rule(1, {"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": ["POST"]}})
    ]
    assert taken_by(rules, Request("h.example.com", "/", "POST")) == "1"
    assert taken_by(rules, Request("h.example.com", "/", "post")) == "default"
    assert taken_by(rules, Request("h.example.com", "/", "GET")) == "default"


def test_query_strings_match_key_value_pairs_or_any_value() -> None:
    pair = {
        "Field": "query-string",
        "QueryStringConfig": {"Values": [{"Key": "version", "Value": "v2*"}]},
    }
    anykey = {"Field": "query-string", "QueryStringConfig": {"Values": [{"Value": "debug"}]}}
    assert (
        taken_by([rule(1, pair)], Request("h.example.com", "/", query=(("Version", "V2-beta"),)))
        == "1"
    )
    assert (
        taken_by([rule(1, pair)], Request("h.example.com", "/", query=(("other", "v2"),)))
        == "default"
    )
    assert (
        taken_by([rule(1, anykey)], Request("h.example.com", "/", query=(("mode", "DEBUG"),)))
        == "1"
    )


def test_source_ips_are_cidr_blocks_and_an_unnamed_client_matches_none() -> None:
    rules = [
        rule(
            1, {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8", "2001:db8::/32"]}}
        )
    ]
    assert taken_by(rules, Request("h.example.com", "/", source_ip="10.1.2.3")) == "1"
    assert taken_by(rules, Request("h.example.com", "/", source_ip="2001:db8::1")) == "1"
    assert taken_by(rules, Request("h.example.com", "/", source_ip="198.51.100.7")) == "default"
    assert taken_by(rules, Request("h.example.com", "/")) == "default"


def test_regex_values_are_searched() -> None:
    regex = {"Field": "path-pattern", "PathPatternConfig": {"RegexValues": [r"^/v[0-9]+/chat$"]}}
    assert taken_by([rule(1, regex)], Request("h.example.com", "/v12/chat")) == "1"
    assert taken_by([rule(1, regex)], Request("h.example.com", "/v12/chat/x")) == "default"


def test_the_legacy_values_field_is_read() -> None:
    legacy = {"Field": "path-pattern", "Values": ["/old/*"]}
    assert taken_by([rule(1, legacy)], Request("h.example.com", "/old/x")) == "1"


def test_weights_are_read_as_weights() -> None:
    weighted = {**rule(1, path("/v1/*")), "Actions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"TargetGroupArn": A, "Weight": 90}, {"TargetGroupArn": B, "Weight": 10}, {"TargetGroupArn": C, "Weight": 0}]}}]}  # fmt: skip
    got = reach(LISTENER, [weighted], GET)
    assert got.weights == {A: 90, B: 10, C: 0}
    assert (got.reaches(A), got.reaches(B), got.reaches(C)) == (True, True, False)
    assert (got.share(A), got.total_weight) == (0.9, 100)


def test_the_final_action_decides_after_authentication() -> None:
    authenticated = {**rule(1, path("/v1/*")), "Actions": [
        {"Type": "forward", "TargetGroupArn": A, "Order": 2},
        {"Type": "authenticate-oidc", "Order": 1, "AuthenticateOidcConfig": {}},
    ]}  # fmt: skip
    got = reach(LISTENER, [authenticated], GET)
    assert (got.kind, got.before, got.weights) == ("forward", ("authenticate-oidc",), {A: 1})


def test_without_a_default_rule_the_listeners_default_actions_apply() -> None:
    listener = {"ListenerArn": "l", "DefaultActions": forward(C)}
    got = reach(listener, [rule(1, path("/v1/*"))], Request("h.example.com", "/"))
    assert (got.priority, got.weights) == ("default", {C: 1})
    assert reach(LISTENER, [], GET).kind == "none"


def test_a_redirect_or_fixed_response_reaches_no_target_group() -> None:
    got = reach(LISTENER, [DEFAULT], GET)
    assert (got.kind, got.weights, got.reaches(A)) == ("fixed-response", {}, False)


def test_could_take_tells_which_rules_overlap_a_route() -> None:
    chat = RouteSpace(paths=("/v1/chat", "/v1/chat/*"))
    canary = {
        "Field": "http-header",
        "HttpHeaderConfig": {"HttpHeaderName": "X-Canary", "Values": ["1"]},
    }
    assert could_take(rule(1, path("/v1/*"), canary), chat)
    assert could_take(rule(1, path("/v1/chat/admin*")), chat)
    assert not could_take(rule(1, path("/v2/*")), chat)
    assert could_take(rule(1, host("admin.example.com"), path("/v1/*")), chat)
    only = RouteSpace(hosts=("chat.example.com",))
    assert not could_take(rule(1, host("admin.example.com")), only)
    assert could_take(rule(1, host("*.EXAMPLE.com")), only)


def test_conditions_in_words() -> None:
    canary = {
        "Field": "http-header",
        "HttpHeaderConfig": {"HttpHeaderName": "X-Canary", "Values": ["1"]},
    }
    query = {
        "Field": "query-string",
        "QueryStringConfig": {"Values": [{"Key": "v", "Value": "2"}, {"Value": "x"}]},
    }
    assert (
        describe_conditions(rule(1, path("/a", "/b"), canary, query))
        == "path /a, /b; header X-Canary: 1; query v=2, x"
    )
    assert describe_conditions(DEFAULT) == "default"


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [("/v1/*", "/v1/chat/*", True), ("/v1/chat", "/v1/chat/*", False), ("/v?/x", "/v1/*", True),
     ("*a", "b*", True), ("/a", "/b", False), ("a\\*", "a*", True), ("a\\*", "ab", False)],
)  # fmt: skip
def test_wildcard_patterns_overlap_when_one_string_matches_both(
    a: str, b: str, overlap: bool
) -> None:
    assert globs_overlap(a, b) is overlap
    assert globs_overlap(b, a) is overlap


def test_an_escaped_wildcard_is_the_character() -> None:
    assert glob_match("a\\*", "a*") and not glob_match("a\\*", "ab")
    assert glob_match("A?", "ab", ignore_case=True) and not glob_match("A?", "ab")
