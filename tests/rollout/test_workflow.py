"""The rollout workflow: dispatched by hand with env/model/version, runs the tool in the env's
GitHub environment, and opens a pull request with the env file and the record."""

from __future__ import annotations

from tests.delivery.test_ownership_and_ci import runs, uses, workflow


def test_dispatch_inputs_and_the_run() -> None:
    flow = workflow("rollout.yml")
    inputs = flow["on"]["workflow_dispatch"]["inputs"]
    assert {"env", "model", "version", "steps", "bake", "retire"} == set(inputs)
    assert inputs["env"]["options"] == ["dev", "staging", "prod"]
    assert flow["permissions"] == {}
    job = flow["jobs"]["rollout"]
    assert job["environment"] == "${{ inputs.env }}"  # prod: its reviewers approve the run
    assert job["if"] == "github.ref == 'refs/heads/main'"
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert job["env"]["CI"] == "true"
    assert job["env"]["ROLLOUT_MODEL"] == "${{ inputs.model }}"
    assert uses(job, "actions/checkout") == {"persist-credentials": False}
    (run,) = [r for r in runs(job) if "tooling.rollout" in r]
    assert '--model "${ROLLOUT_MODEL}"' in run
    assert '--to "${ROLLOUT_VERSION}"' in run


def test_inputs_never_reach_a_script_as_text() -> None:
    flow = workflow("rollout.yml")
    for job in flow["jobs"].values():
        for script in runs(job):
            assert "${{" not in script, script


def test_the_pull_request_job() -> None:
    job = workflow("rollout.yml")["jobs"]["pull-request"]
    assert job["needs"] == "rollout"
    assert job["if"] == "always() && needs.rollout.outputs.changed == 'true'"
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert uses(job, "actions/checkout") == {"persist-credentials": False}
    (script,) = runs(job)
    assert 'git add -f "${record}"' in script
    assert "gh pr create --base main" in script
