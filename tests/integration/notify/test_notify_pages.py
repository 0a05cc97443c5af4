"""The guide's message pages refuse what the API refuses, with a flash and nothing sent."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import builders
from tests.e2e.pages_support import csrf_of, login
from tests.notify_builders import member

from newretail.app import create_app
from newretail.config import Settings
from newretail.db import Database
from newretail.notify.models import ConversationMessage, NotifyMessage


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    settings = Settings(database_url=database.url, log_json=False, log_level="WARNING")
    with TestClient(create_app(settings, database)) as test_client:
        yield test_client


def _count(database: Database, model: type) -> int:
    with database.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_writing_to_a_member_who_opted_out_shows_why_and_sends_nothing(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    opted_out, _ = member(database, world, marketing=False)
    login(client, world.east_guide, "/g")
    token = csrf_of(client, "/g/compose")
    refused = client.post(
        "/g/compose",
        data={f"member_{opted_out}": "1", "text": "Sale!", "csrf_token": token},
        follow_redirects=True,
        headers={"Accept-Language": "en"},
    )
    assert "Not sent: A member has not agreed to marketing messages." in refused.text
    assert (_count(database, NotifyMessage), _count(database, ConversationMessage)) == (0, 0)


def test_writing_to_a_selection_opens_the_inbox_with_the_count(
    client: TestClient, database: Database
) -> None:
    world = builders.brand_world(database)
    first, _ = member(database, world, marketing=True)
    second, _ = member(database, world, marketing=True)
    login(client, world.east_guide, "/g")
    token = csrf_of(client, "/g/compose")
    sent = client.post(
        "/g/compose",
        data={f"member_{first}": "1", f"member_{second}": "1", "text": "Hi", "csrf_token": token},
        follow_redirects=True,
        headers={"Accept-Language": "en"},
    )
    assert "Sent to 2 members." in sent.text
    assert _count(database, ConversationMessage) == 2
