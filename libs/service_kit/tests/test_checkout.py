from pathlib import Path

from service_kit import checkout


def test_no_pythonpath_when_the_venv_installs_this_checkout(monkeypatch):
    here = Path("/somewhere/checkout")
    monkeypatch.setattr(checkout, "installed_checkout", lambda: here.resolve())
    assert checkout.pythonpath_for(here) == {}


def test_pythonpath_puts_another_checkout_first(monkeypatch):
    monkeypatch.setattr(checkout, "installed_checkout", lambda: Path("/main"))
    env = checkout.pythonpath_for(Path("/wt/mine"))
    assert env == {"PYTHONPATH": "/wt/mine/libs:/wt/mine"}


def test_installed_checkout_is_a_directory_or_none():
    found = checkout.installed_checkout()
    assert found is None or (found / "libs" / "service_kit").is_dir()
