"""Tests of the alerting service."""
