from ordo.service.intake import IntakeOutcome, intake
from tests.conftest import new_order


def test_an_order_for_tea_ships_from_the_nearest_warehouse_holding_it(world):
    [result] = intake(world, [new_order("T-1")])
    assert result.outcome is IntakeOutcome.CREATED
    assert result.warehouse_id == "WH-SH"  # Hangzhou is nearest to Shanghai
