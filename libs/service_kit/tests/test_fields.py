"""The request field types refuse what PostgreSQL would fail on, naming the field."""

import pytest
from pydantic import BaseModel, ValidationError

from service_kit.fields import Int32, SafeJson, SafeText


class Model(BaseModel):
    name: SafeText = "x"
    count: Int32 = 0
    metadata: SafeJson = {}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "a\x00b"),
        ("name", "lone \ud800 surrogate"),
        ("count", 2**31),
        ("count", -(2**31) - 1),
        ("metadata", {"k": "v\x00"}),
        ("metadata", {"k\x00": "v"}),
        ("metadata", {"k": [{"deep": "\udfff"}]}),
    ],
)
def test_refused_with_the_field_named(field, value):
    with pytest.raises(ValidationError) as refused:
        Model(**{field: value})
    assert refused.value.errors()[0]["loc"][0] == field


def test_ordinary_values_pass_unchanged():
    model = Model(name="Åsa 😀", count=2**31 - 1, metadata={"å": [1, "ö", None, {"x": 2.5}]})
    assert model.name == "Åsa 😀" and model.count == 2**31 - 1
    assert model.metadata == {"å": [1, "ö", None, {"x": 2.5}]}
