"""Jobs enqueued through the Django tasks API run under `comptoir worker --once [--at]`."""

import datetime as dt

import pytest
from django_tasks.base import TaskResultStatus

from comptoir.cli import main
from comptoir.core.tasks import ping

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_job_enqueued_through_the_tasks_api_runs_under_worker_once(capsys):
    result = ping.enqueue("from the test")
    assert result.status == TaskResultStatus.READY
    main(["comptoir", "worker", "--once"])
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "pong from the test"
    assert "1 job(s) done" in capsys.readouterr().out


def test_a_delayed_job_waits_until_at_says_it_is_due(capsys):
    due = dt.datetime(2030, 1, 1, 9, 0, tzinfo=dt.UTC)
    result = ping.using(run_after=due).enqueue("later")
    main(["comptoir", "worker", "--once"])
    result.refresh()
    assert result.status == TaskResultStatus.READY  # not due yet

    main(["comptoir", "worker", "--once", "--at", "2030-01-01T08:59:59+00:00"])
    result.refresh()
    assert result.status == TaskResultStatus.READY

    main(["comptoir", "worker", "--once", "--at", "2030-01-01T10:00:00+01:00"])
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.parametrize(
    "value, message",
    [("tomorrow", "is not an ISO 8601"), ("2030-01-01T09:00:00", "needs a UTC offset")],
)
def test_worker_at_refuses_an_unusable_instant(value, message, capsys):
    with pytest.raises(SystemExit):
        main(["comptoir", "worker", "--once", "--at", value])
    assert message in capsys.readouterr().err
