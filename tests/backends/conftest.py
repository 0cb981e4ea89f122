import json
from pathlib import Path

import pytest

RETAIL_SIGNATURES = (
    Path(__file__).resolve().parents[1] / "data/tau-bench-retail/tool_signatures.json"
)


@pytest.fixture(scope="session")
def retail_tools() -> list[dict]:
    """The 16 τ-bench retail tools as {name, description, parameters}."""
    tools = json.loads(RETAIL_SIGNATURES.read_text())
    for tool in tools:
        tool.setdefault("description", tool["name"].replace("_", " "))
    return tools


def _obj(**props) -> dict:
    return {"type": "object", "properties": props, "required": list(props)}


@pytest.fixture(scope="session")
def wide_tools() -> list[dict]:
    """14 tools of a flight-booking shape, three of them taking lists of objects: at the
    default bounds their turn union needs ~10k output tokens, more than an 8192 window."""
    s = {"type": "string"}
    passengers = {"type": "array", "items": _obj(first_name=s, last_name=s, dob=s)}
    flights = {"type": "array", "items": _obj(flight_number=s, date={"type": "string",
                                                                    "format": "date"})}
    payments = {"type": "array", "items": _obj(payment_id=s, amount={"type": "number"})}
    tools = [
        {"name": "book_reservation", "parameters": _obj(
            user_id=s, origin=s, destination=s, cabin=s, flights=flights,
            passengers=passengers, payment_methods=payments, total_baggages={"type": "integer"},
            insurance={"type": "string", "enum": ["yes", "no"]})},
        {"name": "update_reservation_passengers", "parameters": _obj(reservation_id=s,
                                                                     passengers=passengers)},
        {"name": "update_reservation_flights", "parameters": _obj(
            reservation_id=s, cabin=s, flights=flights, payment_id=s)},
    ]
    tools += [{"name": f"lookup_{i}", "description": f"look up thing {i}",
               "parameters": _obj(**{f"field_{j}": s for j in range(3)})} for i in range(11)]
    for tool in tools:
        tool.setdefault("description", tool["name"].replace("_", " "))
    return tools
