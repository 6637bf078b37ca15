"""Helpers shared by test modules: data and functions, never fixtures (those live in the
conftest.py nearest the tests that use them) and never tests.

factories.py, verdict_setup.py and localserver.py, older shared helpers, sit beside this
package in tests/."""
