"""Runs one corpus program as a stack: ``corpus:program`` names it (see ``corpus/programs.py``)."""

import pulumi

from shared.tagging import register_tagging
from tests.policies.corpus.programs import PROGRAMS

register_tagging({"team": "ml-platform", "env": "prod"})
PROGRAMS[pulumi.Config("corpus").require("program")].build()
