"""Virtual-account numbers: the 16 digits a customer pays into at a bank or a payment point.

The company's prefix (the digits its banks gave it, ``KREDO_VA_PREFIX``), the contract's row
number padded with zeros, and a Luhn check digit, so that a mistyped digit or two swapped
neighbours in a settlement file match no contract instead of the wrong one."""

from stdnum import luhn

LENGTH = 16


def virtual_account(prefix: str, contract_id: int) -> str:
    """``virtual_account("88080", 42)`` → ``8808000000000429``."""
    room = LENGTH - 1 - len(prefix)
    body = str(contract_id)
    if len(body) > room:
        raise ValueError(f"contract {contract_id} does not fit a {LENGTH}-digit number")
    digits = prefix + body.zfill(room)
    return digits + str(luhn.calc_check_digit(digits))


def is_valid(number: str) -> bool:
    """Sixteen digits whose last is the Luhn check digit of the others."""
    return len(number) == LENGTH and number.isdigit() and bool(luhn.is_valid(number))
