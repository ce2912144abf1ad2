"""The public API: sorted and complete exports, documented hookspecs."""

from __future__ import annotations

import inspect

import connauth
from connauth import _hookspec


def test_all_is_sorted_and_complete() -> None:
    assert connauth.__all__ == sorted(
        connauth.__all__, key=lambda n: (not n.isupper(), n)
    )
    public = {name for name in vars(connauth) if not name.startswith("_")}
    modules = {name for name in public if inspect.ismodule(getattr(connauth, name))}
    assert public - modules - {"annotations"} == set(connauth.__all__)


def hookspecs() -> list[tuple[str, object]]:
    return [
        (name, function)
        for name, function in vars(_hookspec).items()
        if name.startswith("connauth_") and callable(function)
    ]


def test_every_hookspec_documents_its_contract() -> None:
    specs = hookspecs()
    assert len(specs) >= 10
    for name, function in specs:
        doc = inspect.getdoc(function) or ""
        firstresult = function.connauth_spec["firstresult"]
        assert doc, name
        if firstresult:
            assert "Stops at the first non-``None`` result." in doc, name
            assert "``None``" in doc, name
            assert ":return:" in doc, name
        else:
            assert "Every plugin" in doc or "Not firstresult" in doc, name


def test_method_hooks_take_method_first() -> None:
    for name, function in hookspecs():
        if function.connauth_spec["firstresult"]:
            parameters = list(inspect.signature(function).parameters)  # type: ignore[arg-type]
            assert parameters[0] == "method", name
