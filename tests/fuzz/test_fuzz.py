"""Fuzzing both APIs: hostile requests to every endpoint and method, with every role.

The bounded run (FUZZ_EXAMPLES, default 600, same examples every run) is part of the
suite; ``make fuzz`` runs a long one with a random seed it prints (FUZZ_SEED=<n> replays
it). Any 5xx, refusal in the wrong shape, or refusal that wrote a row fails the test,
except the families listed in known_open.KNOWN_OPEN.
"""

import os
import random

from django.db import connection
from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.fuzz.corpus import corpus
from tests.fuzz.harness import Harness
from tests.fuzz.strategies import cases
from tests.fuzz.world import seed as seed_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "600"))
SEED = os.environ.get("FUZZ_SEED")


def test_no_input_gets_a_5xx_or_writes_on_refusal(db, capsys):
    world = seed_world()
    harness = Harness(world)
    # The suite's run draws the same cases every time; a long run draws a seed (printed)
    # unless FUZZ_SEED gives one.
    long_run = "FUZZ_EXAMPLES" in os.environ
    run_seed = int(SEED) if SEED else (random.randrange(2**32) if long_run else None)

    # No deadline (requests vary widely in cost), no example database in the repository,
    # generation only: a case is judged without raising, so nothing is shrunk; the harness
    # keeps the smallest reproduction of each family instead. The strategies are large by
    # design, so hypothesis's size and speed health checks don't apply.
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=run_seed is None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(world))
    def send(case):
        harness.run(case)

    for case in corpus(world):
        harness.run(case)
    if run_seed is not None:
        send = seed(run_seed)(send)
    send()

    title = f"{connection.vendor}, seed {run_seed if run_seed is not None else 'derandomized'}"
    unexpected = harness.tally.unexpected()
    if long_run or unexpected:
        with capsys.disabled():
            print("\n" + harness.tally.report(title))
    assert not unexpected, "\n".join(f.family for f in unexpected)
