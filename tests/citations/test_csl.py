"""CSL names and dates: the forms files write them in, and what no path may store."""

import re

import pytest

from citations.csl import CSLValueError, clean_names, date_parts, date_problem


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        (2020, [2020]),
        ("2020", [2020]),
        ("2020-03", [2020, 3]),
        ("2020/3/15", [2020, 3, 15]),
        ({"date-parts": [2020]}, [2020]),
        ({"date-parts": [[2020, 3], [2021, 1]]}, [2020, 3]),
        ({"date-parts": [["2020", "03", "15"]]}, [2020, 3, 15]),
        ({"raw": "2020-03-15"}, [2020, 3, 15]),
        ({"date-parts": [[]]}, []),
        ("2024-02-29", [2024, 2, 29]),
    ],
)
def test_date_forms(value, parts):
    assert date_parts(value) == parts


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2023-02-29", "day 29 is not a day of February 2023"),
        ({"date-parts": [[2020, 0]]}, "month 0 is not a month (1 to 12)"),
        ({"date-parts": [[0]]}, "year 0 is not a year"),
        ({"season": 1}, "is not a date"),
        ([2020, 1, 2, 3], "is not a date"),
        (20.5, "is not a date"),
        ("Spring 2020", "“Spring 2020” is not a date"),
    ],
)
def test_impossible_dates(value, message):
    with pytest.raises(CSLValueError, match=re.escape(message)):
        date_parts(value)


def test_date_problem_names_the_part():
    assert date_problem(2020, 13) == ("month", "month 13 is not a month (1 to 12)")
    assert date_problem(None, None, 4) == ("year", "has a month or day but no year")
    assert date_problem(2020, None, 4) == ("month", "has a day but no month")
    assert date_problem(2020, 2, 29) is None


def test_names_are_tidied_and_unknown_parts_dropped():
    names = [{"family": " Smith ", "given": "Jane", "sequence": "first"}, "WHO", "Doe, J"]
    assert clean_names(names) == [
        {"family": "Smith", "given": "Jane"},
        {"literal": "WHO"},
        {"family": "Doe", "given": "J"},
    ]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ("Smith, Jane", "must be a list of names"),
        ([["Smith"]], "name 1 must be an object"),
        ([{"given": "Jane"}, {"family": None}], "name 2 has no family name"),
        ([{"family": "x" * 501}], "name 1: “family” is 501 characters"),
    ],
)
def test_names_that_cannot_be_stored(names, message):
    with pytest.raises(CSLValueError, match=re.escape(message)):
        clean_names(names)
