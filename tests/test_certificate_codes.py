"""Verification codes: enough randomness, and typos told apart from forgeries."""

from __future__ import annotations

import math

from lms.certificates.codes import (
    ALPHABET,
    LENGTH,
    check_character,
    classify,
    display,
    new_code,
    normalise,
)


def test_codes_have_at_least_60_random_bits():
    assert math.log2(len(ALPHABET)) * (LENGTH - 1) >= 60
    codes = {new_code() for _ in range(5000)}
    assert len(codes) == 5000
    assert all(classify(code) == ("valid", code) for code in codes)


def test_every_single_typo_is_detected():
    code = new_code()
    for position in range(LENGTH):
        for char in ALPHABET:
            if char != code[position]:
                typo = code[:position] + char + code[position + 1 :]
                assert classify(typo)[0] == "mistyped", typo


def test_most_swapped_neighbours_are_detected():
    detected = total = 0
    for _ in range(300):
        code = new_code()
        for i in range(LENGTH - 1):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
                total += 1
                detected += classify(swapped)[0] == "mistyped"
    assert detected / total > 0.95


def test_case_separators_and_look_alikes_do_not_matter():
    body = "0123456789ABCDE"
    code = body + check_character(body)
    typed = " " + display(code).lower().replace("0", "o").replace("1", "l") + " "
    assert normalise(typed) == code
    assert classify(typed) == ("valid", code)
    assert display(code) == f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}"


def test_malformed_codes():
    assert classify("")[0] == "malformed"
    assert classify("ABC")[0] == "malformed"
    assert classify("U" * LENGTH)[0] == "malformed"  # U is not in the alphabet
