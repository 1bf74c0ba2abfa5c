"""Passwords refused whatever their length: the most common passwords of 12 characters or
more, and the common short ones people stretch to 12 by repeating or appending digits.

A short, documented list rather than a dependency: the entries of 12+ characters among the
most frequent passwords of the public breach-derived lists (the NCSC "100k most common"
list, SecLists' "10-million-password-list-top-1000"), their obvious variants, and this
platform's own words (school, essay, teacher ...). Shorter entries matter only after
``check_password`` lower-cases the candidate; the 12-character minimum already refuses them.
Compared lower-cased, so ``Password1234`` is refused as ``password1234``.
"""

from __future__ import annotations

_BASES = (
    "password",
    "passw0rd",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "iloveyou",
    "welcome",
    "letmein",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "dragon",
    "monkey",
    "master",
    "admin",
    "administrator",
    "changeme",
    "trustno1",
    "superman",
    "starwars",
    "whatever",
    "lösenord",
    "losenord",
    "sommar",
    "hemligt",
    "teacher",
    "student",
    "school",
    "essay",
    "essays",
    "gateway",
    "secret",
)
_SUFFIXES = (
    "",
    "1",
    "12",
    "123",
    "1234",
    "12345",
    "123456",
    "!",
    "1!",
    "123!",
    "2024",
    "2025",
    "2026",
)

COMMON_PASSWORDS: frozenset[str] = frozenset(
    {base + suffix for base in _BASES for suffix in _SUFFIXES}
    | {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "123456789123",
        "1234567891011",
        "111111111111",
        "000000000000",
        "123123123123",
        "123412341234",
        "qwertyuiop123",
        "qwertyuiopasdf",
        "1q2w3e4r5t6y",
        "1q2w3e4r5t6y7u",
        "q1w2e3r4t5y6",
        "1qaz2wsx3edc",
        "1qaz2wsx3edc4rfv",
        "zaq12wsxcde3",
        "qazwsxedcrfv",
        "abcdefghijkl",
        "abcd1234abcd",
        "abc123abc123",
        "passwordpassword",
        "password1password1",
        "iloveyouiloveyou",
        "correcthorsebatterystaple",
        "welcometotheschool",
        "letmeinletmein",
        "qwertyqwerty",
        "asdfasdfasdf",
        "abcabcabcabc",
    }
)
