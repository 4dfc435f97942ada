"""Rupee amounts in words, Indian numbering (lakh, crore), as offers and invoices print them."""

from __future__ import annotations

from decimal import Decimal

from sync.documents.pricing import round_paise

_ONES = ("", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
         "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen",
         "Eighteen", "Nineteen")
_TENS = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")
_SCALES = ((10_000_000, "Crore"), (100_000, "Lakh"), (1000, "Thousand"), (100, "Hundred"))


def _below_hundred(n: int) -> str:
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")


def number_words(n: int) -> str:
    """A whole number in words: 125000 -> "One Lakh Twenty Five Thousand"."""
    if n == 0:
        return "Zero"
    parts = []
    for size, name in _SCALES:
        if n >= size:
            count, n = divmod(n, size)
            parts.append(f"{number_words(count)} {name}")
    if n:
        parts.append(_below_hundred(n))
    return " ".join(parts)


def rupees_in_words(amount: Decimal) -> str:
    """"Rupees One Thousand One Hundred Eighty and Paise Fifty Only"."""
    value = round_paise(abs(amount))
    rupees = int(value)
    paise = int((value - rupees) * 100)
    text = f"Rupees {number_words(rupees)}"
    if paise:
        text += f" and Paise {number_words(paise)}"
    return ("Minus " if amount < 0 else "") + text + " Only"
