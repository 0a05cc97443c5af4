from datetime import timedelta

import pytest
from sqlalchemy import select
from tests import builders
from tests import notify_fakes as fakes
from tests.notify_builders import NOON

from newretail.config import Settings
from newretail.db import Database
from newretail.kernel.scope import SYSTEM
from newretail.notify import errors
from newretail.notify import service as notify_service
from newretail.notify.models import NotifyMessage
from newretail.notify.service import NotificationDeliverer, Recipient

APP_SECRET = "dt-app-secret"
ROBOT_SECRET = "SEC-robot-secret"
CORP_SECRET = "wc-corp-secret"
ROBOT_KEY = "wc-robot-key"


def _settings(database: Database, brand_code: str) -> Settings:
    return Settings(
        database_url=database.url,
        log_json=False,
        log_level="WARNING",
        notify_secrets={
            f"{brand_code}/dingtalk": APP_SECRET,
            f"{brand_code}/robot": ROBOT_SECRET,
            f"{brand_code}/wecom": CORP_SECRET,
            f"{brand_code}/wecom-robot": ROBOT_KEY,
        },
    )


def _channel(
    database: Database, brand_id: int, channel: str, secret: str, **fields: object
) -> None:
    with database.transaction() as session:
        notify_service.put_channel(
            session=session,
            scope=SYSTEM,
            brand_id=brand_id,
            channel=channel,
            settings=fields,
            secret_ref=f"setting:{secret}",
        )


def _notice(database: Database, brand_id: int, staff_id: int, channel: str) -> int:
    with database.transaction() as session:
        [sent] = notify_service.send(
            session=session,
            brand_id=brand_id,
            recipients=[Recipient("staff", staff_id)],
            template="notice.text",
            variables={"title": "Stock count", "text": "Count the shoes by 18:00."},
            purpose="urgent",
            channels=[channel],
            now=NOON,
        )
    return sent.id


def _message(database: Database, message_id: int) -> NotifyMessage:
    with database.transaction(read_only=True) as session:
        found = session.get(NotifyMessage, message_id)
        assert found is not None
        session.expunge(found)
        return found


def _deliver(database: Database, settings: Settings, at: object = NOON) -> None:
    job = NotificationDeliverer(clock=lambda: at, jitter=lambda: 0.0)  # type: ignore[arg-type,return-value]
    job(database, settings)
    job.close()


def _dingtalk() -> fakes.FakeVendor:
    return fakes.dingtalk(
        app_key="dt-key", app_secret=APP_SECRET, robot_token="robot-1", robot_secret=ROBOT_SECRET
    )


def test_a_dingtalk_work_notice_fetches_a_token_then_sends_to_the_staff_user(
    database: Database,
) -> None:
    world = builders.brand_world(database)
    settings = _settings(database, world.brand.code)
    with fakes.serving(_dingtalk()) as vendor:
        _channel(
            database,
            world.brand.id,
            "dingtalk",
            "dingtalk",
            base_url=vendor.base_url,
            app_key="dt-key",
            agent_id="2001",
        )
        message_id = _notice(database, world.brand.id, world.east_guide.id, "dingtalk")
        _deliver(database, settings)
    assert vendor.paths() == ["/gettoken", "/topapi/message/corpconversation/asyncsend_v2"]
    sent = vendor.seen[1].body
    assert sent["userid_list"] == world.east_guide.username
    assert "Count the shoes by 18:00." in sent["msg"]["text"]["content"]
    assert _message(database, message_id).status == "sent"


def test_a_dingtalk_robot_signs_each_message(database: Database) -> None:
    world = builders.brand_world(database)
    settings = _settings(database, world.brand.code)
    with fakes.serving(_dingtalk()) as vendor:
        _channel(
            database,
            world.brand.id,
            "dingtalk",
            "robot",
            base_url=vendor.base_url,
            mode="robot",
            access_token="robot-1",
        )
        message_id = _notice(database, world.brand.id, world.east_guide.id, "dingtalk")
        _deliver(database, settings)
    assert vendor.paths() == ["/robot/send"]
    assert vendor.seen[0].query["sign"]
    assert _message(database, message_id).status == "sent"


def test_a_robot_signed_with_the_wrong_secret_is_refused_and_recorded_failed(
    database: Database,
) -> None:
    world = builders.brand_world(database)
    settings = _settings(database, world.brand.code)
    with fakes.serving(_dingtalk()) as vendor:
        # The app secret is not the robot's signing secret: the fake's check fails.
        _channel(
            database,
            world.brand.id,
            "dingtalk",
            "dingtalk",
            base_url=vendor.base_url,
            mode="robot",
            access_token="robot-1",
        )
        message_id = _notice(database, world.brand.id, world.east_guide.id, "dingtalk")
        _deliver(database, settings)
    failed = _message(database, message_id)
    assert (failed.status, failed.next_attempt_at is not None) == ("failed", True)
    assert "sign not match" in (failed.last_error or "")


def test_a_wecom_app_message_fetches_a_token_then_sends_to_the_staff_user(
    database: Database,
) -> None:
    world = builders.brand_world(database)
    settings = _settings(database, world.brand.code)
    vendor_def = fakes.wecom(corp_id="corp-1", corp_secret=CORP_SECRET, robot_key=ROBOT_KEY)
    with fakes.serving(vendor_def) as vendor:
        _channel(
            database,
            world.brand.id,
            "wecom",
            "wecom",
            base_url=vendor.base_url,
            corp_id="corp-1",
            agent_id="1000002",
        )
        message_id = _notice(database, world.brand.id, world.east_guide.id, "wecom")
        _deliver(database, settings)
    assert vendor.paths() == ["/cgi-bin/gettoken", "/cgi-bin/message/send"]
    assert vendor.seen[1].body["touser"] == world.east_guide.username
    assert vendor.seen[1].body["text"]["content"].endswith("Count the shoes by 18:00.")
    assert _message(database, message_id).status == "sent"


def test_a_wecom_robot_posts_with_its_key(database: Database) -> None:
    world = builders.brand_world(database)
    settings = _settings(database, world.brand.code)
    vendor_def = fakes.wecom(corp_id="corp-1", corp_secret=CORP_SECRET, robot_key=ROBOT_KEY)
    with fakes.serving(vendor_def) as vendor:
        _channel(
            database, world.brand.id, "wecom", "wecom-robot", base_url=vendor.base_url, mode="robot"
        )
        message_id = _notice(database, world.brand.id, world.east_guide.id, "wecom")
        _deliver(database, settings)
    assert vendor.paths() == ["/cgi-bin/webhook/send"]
    assert vendor.seen[0].query["key"] == ROBOT_KEY
    assert _message(database, message_id).status == "sent"


def test_retries_move_a_failed_message_to_sent(database: Database) -> None:
    world = builders.brand_world(database)
    settings = _settings(database, world.brand.code)
    answers = iter([(503, {"errcode": -1}), (200, {"errcode": 0})])
    vendor_def = fakes.FakeVendor({"/cgi-bin/webhook/send": lambda seen: next(answers)})
    with fakes.serving(vendor_def) as vendor:
        _channel(
            database, world.brand.id, "wecom", "wecom-robot", base_url=vendor.base_url, mode="robot"
        )
        message_id = _notice(database, world.brand.id, world.east_guide.id, "wecom")
        _deliver(database, settings)
        failed = _message(database, message_id)
        _deliver(database, settings, at=NOON + timedelta(seconds=10))  # not yet due
        _deliver(database, settings, at=NOON + timedelta(minutes=5))
    sent = _message(database, message_id)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, None)
    assert len(vendor.seen) == 2


@pytest.mark.parametrize("channel", ["dingtalk", "wecom", "email", "webhook"])
def test_a_channel_the_brand_has_not_set_up_is_refused_and_nothing_queued(
    database: Database, channel: str
) -> None:
    world = builders.brand_world(database)
    with database.transaction() as session, pytest.raises(errors.ChannelInvalid):
        notify_service.send(
            session=session,
            brand_id=world.brand.id,
            recipients=[Recipient("staff", world.east_guide.id)],
            template="notice.text",
            variables={"title": "t", "text": "x"},
            purpose="service",
            channels=["inapp", channel],
            now=NOON,
        )
    with database.transaction(read_only=True) as session:
        assert list(session.scalars(select(NotifyMessage))) == []
