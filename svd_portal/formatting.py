from decimal import Decimal


def money(value) -> str:
    """£5,000 for whole pounds, £4,500.50 otherwise; a dash for nothing."""
    if value is None or value == "":
        return "–"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"£{value:,.0f}"
    return f"£{value:,.2f}"


def file_size(size: int) -> str:
    """10 MB, 1.5 MB, 512 KB: the way people write a limit."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            value = Decimal(size) / scale
            text = f"{value:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    return f"{size} bytes"


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Awaiting PCC signature" → "awaiting PCC signature"."""
    return label[:1].lower() + label[1:]
