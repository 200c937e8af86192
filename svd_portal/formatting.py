from decimal import Decimal


def money(value) -> str:
    """£5,000 for whole pounds, £4,500.50 otherwise; a dash for nothing."""
    if value is None or value == "":
        return "–"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"£{value:,.0f}"
    return f"£{value:,.2f}"
