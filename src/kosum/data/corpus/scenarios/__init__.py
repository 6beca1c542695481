"""All topic scenarios, one module per area of life so no file grows past a few hundred lines."""

from kosum.data.corpus.scenario import Scenario
from kosum.data.corpus.scenarios import (
                                    daily,
                                    dining,
                                    finance,
                                    health,
                                    housing,
                                    leisure,
                                    school,
                                    services,
                                    shopping,
                                    transport,
                                    travel,
                                    work,
)

SCENARIOS: tuple[Scenario, ...] = tuple(
    sc for module in (shopping, dining, health, travel, transport, finance, housing, work, school, leisure, services,
                      daily)
    for sc in module.SCENARIOS
)
