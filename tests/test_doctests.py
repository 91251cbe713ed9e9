"""The docstring examples of every module of the installed package run as doctests."""

import doctest
import importlib
import pkgutil

import pytest

import rnn_theory

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(rnn_theory.__path__, "rnn_theory.") if not name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
