import pytest

from emails.tests.smtp import MailServer


@pytest.fixture
def mail_server(settings):
    """A real SMTP server this test's emails go to (``mail_server.messages``)."""
    from config.settings.base import mailer_from_url

    with MailServer() as server:
        settings.MAILERS = {"default": mailer_from_url(server.url)}
        yield server
