"""Tests of the alert detectors (alerts.detect)."""
