"""Test doubles and the demo, shipped so `clickbot sandbox` and `clickbot demo` work anywhere.

`sandbox/` stands in for ClickMeter's API, `localslack/` for Slack's Web API (and drives the bot
the way Slack does), `demo/` plays the whole bot on both in a terminal. Nothing in the product
imports this package; it may import every product package.
"""
