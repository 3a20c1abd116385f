"""The dashboard tests (a package: its conftest is ``web.conftest``, not the API tests' ``conftest``)."""
