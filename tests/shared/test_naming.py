from __future__ import annotations

import pytest

from shared.naming import MAX_LEN, physical_name, slug


def test_short_names_are_app_env_parts() -> None:
    assert physical_name("serving", "prod", "alb") == "serving-prod-alb"
    assert physical_name("Serving", "prod", "LLM_Chat") == "serving-prod-llm-chat"


@pytest.mark.parametrize("kind", ["alb", "target_group"])
def test_long_names_fit_the_limit_keep_the_env_and_stay_distinct(kind: str) -> None:
    a = physical_name("serving", "staging", "sentence-embeddings-multilingual", kind=kind)
    b = physical_name("serving", "staging", "sentence-embeddings-multilingual-v2", kind=kind)
    assert len(a) <= MAX_LEN[kind]
    assert len(b) <= MAX_LEN[kind]
    assert a != b
    assert a.startswith("serving-staging-")
    assert physical_name("serving", "staging", "sentence-embeddings-multilingual", kind=kind) == a


def test_reserve_leaves_room_for_a_suffix() -> None:
    name = physical_name(
        "serving", "prod", "a-rather-long-model-name", kind="target_group", reserve=8
    )
    assert len(name) <= 24


def test_slug() -> None:
    assert slug("  My Model!! v2 ") == "my-model-v2"
