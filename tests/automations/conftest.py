from tests.mailserver import smtp_server  # noqa: F401 - the fixture, for every automation test
