"""Alembic's environment and the migration scripts (`versions/`); run them via `migrate`."""
