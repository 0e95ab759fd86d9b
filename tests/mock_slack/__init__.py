"""A local Slack Web API for tests: checks tokens, records calls, fails on demand."""

from tests.mock_slack.app import MockSlack, RecordedCall

__all__ = ["MockSlack", "RecordedCall"]
