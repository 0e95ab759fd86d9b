"""Tests of the digests: content against the sandbox, the chart, the message."""
