"""Tests of the test doubles that ship in `devtools/`: the ClickMeter sandbox, the local Slack
and the `clickbot demo` tour built on both."""
