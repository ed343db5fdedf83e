"""The committed stacks under the mock runtime: the pack's verdicts are the same in a preview
(computed outputs unknown) as in an update (every output known), no policy gives up, and nothing is
left unverified (``preview-unverified`` has nothing to say about them in any env).
"""

from __future__ import annotations

import pytest

from shared.environments import ENVIRONMENTS
from shared.stacks import STACKS
from tooling.mock_runtime import render
from tooling.policy_analyzer import Analysis, PolicyPackAnalyzer


def verdicts(analysis: Analysis) -> set[tuple[str, str, str, str]]:
    return {(d.policy, d.level, d.urn, d.detail) for d in analysis.diagnostics}


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("stack", list(STACKS))
def test_preview_and_update_give_the_same_verdicts(
    pack: PolicyPackAnalyzer, stack: str, env: str
) -> None:
    pack.configure_env(env)
    preview = pack.analyze_all(render(stack, env, preview=True).created)
    update = pack.analyze_all(render(stack, env, preview=False).created)
    assert verdicts(preview) == verdicts(update)
    assert not [d.message for d in preview.diagnostics if "can't run policy" in d.message]
    assert preview.mandatory == []
    assert preview.of("preview-unverified") == update.of("preview-unverified") == []
