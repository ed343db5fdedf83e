"""The README's walkthrough and table of contents stay true."""

from __future__ import annotations

import re

from shared.stacks import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text()


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.lower()).strip()
    return text.replace(" ", "-")


def test_the_contents_list_every_section_and_the_quick_start_stays_first() -> None:
    headings = re.findall(r"^## (.+)$", README, flags=re.M)
    assert headings[0] == "Quick start" and headings[1] == "Contents"
    toc = README.split("<!-- BEGIN toc -->")[1].split("<!-- END toc -->")[0]
    links = re.findall(r"\]\(#([^)]+)\)", toc)
    assert links == [anchor(h) for h in headings if h != "Contents"]


def test_the_walkthrough_names_every_step_and_setting() -> None:
    walkthrough = README.split("<!-- BEGIN zero-to-prod -->")[1].split("<!-- END zero-to-prod -->")[
        0
    ]
    for needle in (
        "make bootstrap",
        "make bootstrap UPDATE=1",
        "PULUMI_BACKEND_URL",
        "AWS_PREVIEW_ROLE_dev",
        "AWS_DEPLOY_ROLE",
        "SECRETS_PROVIDER",
        ".deploy.env",
        "make verify",
        "When something fails",
        "PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER",
    ):
        assert needle in walkthrough, needle
