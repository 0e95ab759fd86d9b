"""The environment a deployed clickbot process gets, pointed at the sandbox and the local
Slack: the settings travel only this way, as on a platform."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from devtools.localslack import MockSlackServer
from tests.conftest import Sandbox

BIN = Path(sys.executable).parent
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def deployment_env(
    sandbox: Sandbox, slack: MockSlackServer, home: Path, database_url: str, **more: str
) -> dict[str, str]:
    """Every setting a clickbot process needs, plus `more` (e.g. PORT, LOG_FORMAT)."""
    # Not a setting: where the code under test is, when the run points there (a checkout
    # other than the one the virtualenv was installed from).
    code = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}
    return {
        **code,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
        "CLICKMETER_API_KEY": sandbox.api_key,
        "CLICKMETER_API_URL": sandbox.url,
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        **more,
    }


def start_clickbot(command: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """`clickbot COMMAND` as a deployed process, its output (stderr too) on a text pipe."""
    return subprocess.Popen(  # noqa: S603 - our own console script
        [str(BIN / "clickbot"), command],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
